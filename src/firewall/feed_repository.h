#pragma once
// SQL access to feeds and their stored contents (tables firewall_feeds and
// firewall_feed_contents, migration 0011). Not thread-safe, like the connection it wraps.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/firewall/feed_service.h"
#include "sentinel/store/database.h"

namespace sentinel::firewall {

/// How a successful fetch ended, as stored with the feed.
struct FetchSuccess {
  std::int64_t entries = 0;
  std::int64_t bad_lines = 0;
  std::vector<FeedProblem> problems;
};

/// The stored contents of one feed: canonical networks, one per line.
struct StoredContents {
  std::string networks;
  std::string sha256;
  std::int64_t entries = 0;
};

/// Which contents an enabled feed has now, without the networks themselves.
struct ContentsHead {
  std::int64_t feed_id = 0;
  std::string name;
  std::string sha256;
};

class FeedRepository {
 public:
  explicit FeedRepository(store::Connection& connection) : connection_(connection) {}

  /// Inserts the definition (kConflict when the name is taken); the new id.
  Result<std::int64_t> insert(const Feed& feed);
  /// Every feed, by name.
  Result<std::vector<Feed>> list();
  Result<std::optional<Feed>> find(std::string_view name);
  Result<std::int64_t> count();
  /// Writes the definition, updated_* and next_fetch_ms of `feed` (by id); false when gone.
  Result<bool> update_definition(const Feed& feed);
  /// Deletes the feed and its contents; false when it was gone.
  Result<bool> remove(std::int64_t id);

  /// Enabled feeds whose next fetch is due at `now_ms`, soonest first.
  Result<std::vector<Feed>> due(std::int64_t now_ms, std::int64_t limit);
  /// Moves the next fetch from `expected_ms` to `next_ms`: true for the one process that did.
  Result<bool> claim(std::int64_t id, std::int64_t expected_ms, std::int64_t next_ms);
  /// A failed fetch: the error, the fetch time and the next one; the contents stay.
  Status record_failure(std::int64_t id, std::int64_t now_ms, std::string_view error,
                        std::int64_t next_ms);
  /// A successful fetch: its counts and problems, clears the error.
  Status record_success(std::int64_t id, std::int64_t now_ms, const FetchSuccess& fetch,
                        std::int64_t next_ms);

  /// The SHA-256 of the stored contents, or nullopt when the feed has none.
  Result<std::optional<std::string>> contents_sha256(std::int64_t id);
  /// Replaces the feed's contents (creates them the first time).
  Status store_contents(std::int64_t id, const StoredContents& contents, std::int64_t now_ms);
  /// The contents of one feed, or nullopt.
  Result<std::optional<StoredContents>> contents(std::int64_t id);
  /// The contents heads of every enabled feed that has contents, by name.
  Result<std::vector<ContentsHead>> enabled_heads();

 private:
  store::Connection& connection_;
};

}  // namespace sentinel::firewall
