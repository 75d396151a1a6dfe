#pragma once
// Threat-intel feeds (ADR 0006 "Feeds"): named address sets that policies refer to by name,
// filled from a file or a URL on a schedule, stored so that a restart needs no fetch, and handed
// to the policy service for validation, preview and every apply.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/agents/agent_registry.h"
#include "sentinel/auth/audit_log.h"
#include "sentinel/auth/auth_types.h"
#include "sentinel/auth/principal.h"
#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"
#include "sentinel/firewall/allow_list.h"
#include "sentinel/firewall/feed_fetcher.h"
#include "sentinel/firewall/feed_list.h"
#include "sentinel/firewall/policy_problem.h"
#include "sentinel/firewall/policy_service.h"
#include "sentinel/firewall/ruleset.h"
#include "sentinel/server/service.h"
#include "sentinel/store/database.h"

namespace sentinel::firewall {

/// Bounds of a feed's refresh interval: fetching a list more often than every five minutes only
/// loads its publisher (abuse.ch asks for no more).
inline constexpr std::int64_t kMinFeedRefreshSeconds = 300;
inline constexpr std::int64_t kMaxFeedRefreshSeconds = 7 * 24 * 3600;
/// The most feeds there may be.
inline constexpr std::size_t kMaxFeeds = 256;

/// "plain" or "csv".
std::string_view to_string(FeedFormat format);

/// What an admin defines.
struct FeedDefinition {
  std::string name;    // the policy object-name grammar: [A-Za-z][A-Za-z0-9_-]{0,31}
  std::string source;  // http(s) URL or an absolute path inside the feed directory
  FeedFormat format = FeedFormat::kPlain;
  std::string column;  // csv: a header name or a 1-based number; empty for plain
  std::int64_t refresh_s = 3600;
  bool enabled = true;
  std::string description;
};

/// A feed with how its last fetch went.
struct Feed {
  std::int64_t id = 0;
  FeedDefinition definition;
  std::int64_t created_ms = 0;
  std::string created_by;
  std::int64_t updated_ms = 0;
  std::string updated_by;
  std::int64_t next_fetch_ms = 0;
  std::optional<std::int64_t> last_fetch_ms;
  std::optional<std::int64_t> last_success_ms;
  std::int64_t entries = 0;           // networks the last successful fetch put in effect
  std::int64_t bad_lines = 0;         // lines it skipped (and networks the allow-list left out)
  std::vector<FeedProblem> problems;  // the first of them; line 0: not a line (allow-list)
  std::string last_error;             // the last failed fetch; empty once one succeeded
};

/// A change to a feed; absent fields stay. The name never changes: policies refer to it.
struct FeedChange {
  std::optional<std::string> source;
  std::optional<FeedFormat> format;
  std::optional<std::string> column;
  std::optional<std::int64_t> refresh_s;
  std::optional<bool> enabled;
  std::optional<std::string> description;
};

/// What a create or an update answers: the feed as stored, or why not. A definition refused for
/// what it holds (kInvalidArgument) comes with every one of its problems, each naming its field
/// in `path`; other refusals have none.
struct FeedWrite {
  Result<Feed> feed;
  std::vector<Problem> problems;
};

/// A policy whose newest version names a feed.
struct FeedUser {
  std::int64_t policy_id = 0;
  std::string policy_name;
};

/// How one fetch ended. On failure the stored contents are the previous ones (`feed.entries`).
struct FeedRefresh {
  bool ok = false;
  std::string error;
  std::int64_t entries = 0;
  std::int64_t bad_lines = 0;
  std::vector<FeedProblem> problems;
  bool changed = false;             // the stored networks differ from before
  std::vector<std::string> repush;  // agents whose effective policy is applied again
  Feed feed;                        // the feed as stored afterwards
};

/// The contents of the enabled feeds that were fetched at least once, shared and immutable.
using FeedSnapshot = std::shared_ptr<const FeedContents>;

/// Limits and timing.
struct FeedServiceOptions {
  /// File sources must lie inside it (<data_dir>/feeds); created by create() when missing.
  std::filesystem::path file_root;
  /// Caps of the parser: bytes of text, networks, narrowest prefixes, problems named.
  std::size_t max_bytes = 16u << 20;
  std::size_t max_entries = 100'000;
  /// How often the scheduler looks for due feeds (other processes may have added some).
  std::chrono::milliseconds poll_interval{5'000};
  /// A failed fetch is tried again after min(refresh_s, this).
  std::chrono::seconds retry_after_failure{300};
};

/// Collaborators; each must outlive the service. `policies` finds the policy service (built
/// after this one) when agents must get their policy again; it may return null.
struct FeedDependencies {
  store::Database& database;
  auth::AuditLog& audit;
  const Clock& clock;
  agents::AgentRegistry& registry;
  AllowList& allow_list;
  std::unique_ptr<FeedFetcher> fetcher;
  std::function<PolicyService*()> policies;
};

/// Thread-safe. Writes are audited (`firewall.feed.create`, `.update`, `.delete`, `.refresh`).
/// start() runs the scheduler on the service's own thread: due feeds are claimed (a
/// compare-and-set on their next fetch time, so that one process fetches each), fetched one at a
/// time, parsed and stored whole. Policies compile with the stored networks less those that
/// overlap the allow-list now (contents()). When the stored networks change, a feed with
/// contents is enabled or disabled, or an allow-list change changes a feed's networks in
/// effect, the agents whose effective policy names the feed get it applied again on that thread
/// (`PolicyService::apply` as "feed:<name>"). stop() ends the thread after the fetch or apply in
/// progress.
class FeedService : public server::Service {
 public:
  /// kInvalidArgument for limits that cannot work; kInternal when the feed directory cannot be
  /// created.
  static Result<std::unique_ptr<FeedService>> create(FeedDependencies dependencies,
                                                     FeedServiceOptions options);

  /// Every feed, by name.
  virtual Result<std::vector<Feed>> list() = 0;
  /// kNotFound.
  virtual Result<Feed> get(std::string_view name) = 0;
  /// Checks the definition (kInvalidArgument naming the first field at fault, with every
  /// problem), stores it (kConflict naming "name" when taken) and asks the scheduler to fetch it
  /// now.
  virtual FeedWrite create_feed(const auth::Principal& caller, const FeedDefinition& feed,
                                const auth::ClientInfo& client) = 0;
  /// Checks the feed the change makes, as create_feed does. A changed source, format or column
  /// is fetched now; the contents stay until then. kNotFound.
  virtual FeedWrite update(const auth::Principal& caller, std::string_view name,
                           const FeedChange& change, const auth::ClientInfo& client) = 0;
  /// kNotFound; kConflict (reason "feed_in_use") naming the policies whose newest version
  /// names the feed.
  virtual Status remove(const auth::Principal& caller, std::string_view name,
                        const auth::ClientInfo& client) = 0;
  /// Fetches the feed now, on the caller's thread, and answers with the outcome (a failed fetch
  /// is an outcome, not an Error). kNotFound for an unknown feed; kConflict when a scheduled
  /// fetch of it is still running after 5 s.
  virtual Result<FeedRefresh> refresh(const auth::Principal& caller, std::string_view name,
                                      const auth::ClientInfo& client) = 0;
  /// The policies whose newest version names the feed, by name.
  virtual Result<std::vector<FeedUser>> users(std::string_view name) = 0;

  /// The stored contents of every enabled feed that has some, less the networks that overlap an
  /// allow-list entry now (from memory while the database and the allow-list say they are
  /// unchanged). Never fails: on a database error the last snapshot is returned.
  virtual FeedSnapshot contents() = 0;
  /// The allow-list changed: the agents whose feeds it changes get their policy again now
  /// rather than after the scheduler's next poll (which finds it too). Returns at once.
  virtual void allow_list_changed() = 0;
};

}  // namespace sentinel::firewall
