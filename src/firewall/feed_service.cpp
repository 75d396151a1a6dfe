// Threat-intel feeds: the service others call. Definitions are checked (feed_definition.*) and
// stored here; fetches run in feed_refresher.*, the scheduler and the re-apply to agents in
// feed_scheduler.*, and the contents policies compile with come from feed_contents.*.

#include "sentinel/firewall/feed_service.h"

#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "../auth/autocommit.h"
#include "feed_contents.h"
#include "feed_definition.h"
#include "feed_refresher.h"
#include "feed_repository.h"
#include "feed_scheduler.h"
#include "feed_users.h"
#include "logger.h"

namespace sentinel::firewall {

std::string_view to_string(FeedFormat format) {
  return format == FeedFormat::kCsv ? "csv" : "plain";
}

namespace {

// How long a refresh asked over HTTP waits for a scheduled fetch of the same feed to end.
constexpr std::chrono::seconds kRefreshWait{5};

std::string feed_target(std::string_view name) { return "firewall_feed:" + std::string(name); }

Error no_feed(std::string_view name) {
  return not_found(fmt::format("No firewall feed \"{}\".", name.substr(0, 64)));
}

Error in_use(std::string_view name, const std::vector<FeedUser>& users) {
  std::vector<std::string> named;
  for (const FeedUser& user : users) {
    named.push_back(fmt::format("\"{}\" (id {})", user.policy_name, user.policy_id));
  }
  return Error{ErrorCode::kConflict,
               fmt::format("firewall feed \"{}\" is used by the newest version of polic{} {}: "
                           "take it out of {} first",
                           name, users.size() == 1 ? "y" : "ies", fmt::join(named, ", "),
                           users.size() == 1 ? "it" : "them"),
               "feed_in_use", "name"};
}

class FeedServiceImpl final : public FeedService {
 public:
  FeedServiceImpl(FeedDependencies dependencies, FeedServiceOptions options)
      : database_(dependencies.database),
        audit_(dependencies.audit),
        clock_(dependencies.clock),
        registry_(dependencies.registry),
        options_(std::move(options)),
        refresher_(database_, clock_, dependencies.allow_list, std::move(dependencies.fetcher),
                   options_),
        contents_(database_, dependencies.allow_list),
        scheduler_(database_, clock_, registry_, refresher_, contents_,
                   std::move(dependencies.policies), options_) {}

  std::string_view name() const override { return "firewall-feeds"; }

  Status start() override {
    scheduler_.start();
    return ok();
  }

  void stop() override { scheduler_.stop(); }

  Result<std::vector<Feed>> list() override {
    auth::Autocommit connection(database_);
    return FeedRepository(connection).list();
  }

  Result<Feed> get(std::string_view name) override {
    auth::Autocommit connection(database_);
    SENTINEL_ASSIGN(feed, FeedRepository(connection).find(name));
    if (!feed) return no_feed(name);
    return std::move(*feed);
  }

  FeedWrite create_feed(const auth::Principal& caller, const FeedDefinition& definition,
                        const auth::ClientInfo& client) override {
    std::vector<Problem> problems = check_feed_definition(definition, options_.file_root);
    if (!problems.empty()) return {invalid_feed_definition(problems), std::move(problems)};
    return {create_checked(caller, definition, client), {}};
  }

  FeedWrite update(const auth::Principal& caller, std::string_view name, const FeedChange& change,
                   const auth::ClientInfo& client) override {
    Result<Feed> current = get(name);
    if (!current) return {std::move(current).error(), {}};
    Feed feed = *current;
    FeedDefinition& definition = feed.definition;
    boost::json::array changed;
    const auto set = [&changed](auto& field, const auto& value, std::string_view key) {
      if (value && !(field == *value)) {
        field = *value;
        changed.emplace_back(key);
      }
    };
    set(definition.source, change.source, "source");
    set(definition.format, change.format, "format");
    set(definition.column, change.column, "column");
    set(definition.refresh_s, change.refresh_s, "refresh_s");
    set(definition.enabled, change.enabled, "enabled");
    set(definition.description, change.description, "description");
    // A csv feed turned plain keeps no column it cannot use.
    if (change.format == FeedFormat::kPlain && !change.column) definition.column.clear();
    std::vector<Problem> problems = check_feed_definition(definition, options_.file_root);
    if (!problems.empty()) return {invalid_feed_definition(problems), std::move(problems)};
    return {update_checked(caller, *current, std::move(feed), changed, client), {}};
  }

  Status remove(const auth::Principal& caller, std::string_view name,
                const auth::ClientInfo& client) override {
    std::string source;
    SENTINEL_TRY(database_.transact([&](store::Connection& connection) -> Status {
      FeedRepository feeds(connection);
      SENTINEL_ASSIGN(feed, feeds.find(name));
      if (!feed) return no_feed(name);
      SENTINEL_ASSIGN(users, policies_using_feed(connection, name));
      if (!users.empty()) return in_use(name, users);
      source = feed->definition.source;
      SENTINEL_ASSIGN(removed, feeds.remove(feed->id));
      if (!removed) return no_feed(name);
      return ok();
    }));
    audit(caller, client, "firewall.feed.delete", name, {{"source", shown_feed_source(source)}});
    firewall_log().info("feed deleted name={} by={}", name, caller.username);
    return ok();
  }

  Result<FeedRefresh> refresh(const auth::Principal& caller, std::string_view name,
                              const auth::ClientInfo& client) override {
    SENTINEL_ASSIGN(feed, get(name));
    // The scheduler may be fetching it: wait a little, not past the gateway's request timeout.
    std::optional<FeedRefresh> fetched = refresher_.try_refresh(feed, kRefreshWait);
    if (!fetched) {
      return conflict(
          fmt::format("feed \"{}\" is being fetched right now; its outcome shows on "
                      "the feed in a moment",
                      feed.definition.name));
    }
    FeedRefresh outcome = std::move(*fetched);
    if (outcome.changed) {
      Result<std::vector<std::string>> agents = agents_using_feed(database_, registry_, name);
      if (agents) outcome.repush = *agents;
      scheduler_.queue_repush(feed.definition.name);
    }
    boost::json::object details{{"ok", outcome.ok},
                                {"entries", outcome.entries},
                                {"bad_lines", outcome.bad_lines},
                                {"changed", outcome.changed}};
    if (!outcome.ok) details["error"] = outcome.error;
    audit(caller, client, "firewall.feed.refresh", name, details, outcome.ok);
    return outcome;
  }

  Result<std::vector<FeedUser>> users(std::string_view name) override {
    auth::Autocommit connection(database_);
    return policies_using_feed(connection, name);
  }

  FeedSnapshot contents() override { return contents_.snapshot(); }

  void allow_list_changed() override { scheduler_.wake(); }

 private:
  // Stores a checked definition as a new feed.
  Result<Feed> create_checked(const auth::Principal& caller, const FeedDefinition& definition,
                              const auth::ClientInfo& client) {
    const std::int64_t now = clock_.now_ms();
    Feed feed;
    feed.definition = definition;
    feed.created_ms = feed.updated_ms = now;
    feed.created_by = feed.updated_by = caller.username;
    feed.next_fetch_ms = now;  // the scheduler fetches it at once
    Status stored = database_.transact([&](store::Connection& connection) -> Status {
      FeedRepository feeds(connection);
      SENTINEL_ASSIGN(count, feeds.count());
      if (count >= static_cast<std::int64_t>(kMaxFeeds)) {
        return conflict(fmt::format("there are {} feeds already, the most there may be", count),
                        "name");
      }
      SENTINEL_ASSIGN(id, feeds.insert(feed));
      feed.id = id;
      return ok();
    });
    if (!stored) {
      if (stored.error().code == ErrorCode::kConflict && stored.error().field.empty()) {
        return conflict(fmt::format("a firewall feed named \"{}\" exists", definition.name),
                        "name");
      }
      return std::move(stored).error();
    }
    audit(caller, client, "firewall.feed.create", definition.name,
          {{"source", shown_feed_source(definition.source)},
           {"format", to_string(definition.format)},
           {"column", definition.column},
           {"refresh_s", definition.refresh_s},
           {"enabled", definition.enabled}});
    firewall_log().info("feed created name={} source=\"{}\" by={}", definition.name,
                        shown_feed_source(definition.source), caller.username);
    scheduler_.wake();
    return get(definition.name);
  }

  // Stores `feed`, whose definition was checked, in place of `current`.
  Result<Feed> update_checked(const auth::Principal& caller, const Feed& current, Feed feed,
                              const boost::json::array& changed, const auth::ClientInfo& client) {
    const FeedDefinition& definition = feed.definition;
    const std::int64_t now = clock_.now_ms();
    const FeedDefinition& before = current.definition;
    const bool source_changed = before.source != definition.source ||
                                before.format != definition.format ||
                                before.column != definition.column;
    const bool switched = before.enabled != definition.enabled;
    if (source_changed || (switched && definition.enabled)) {
      feed.next_fetch_ms = now;
    } else if (before.refresh_s != definition.refresh_s) {
      feed.next_fetch_ms = feed.last_fetch_ms.value_or(now) + definition.refresh_s * 1000;
    }
    feed.updated_ms = now;
    feed.updated_by = caller.username;
    {
      auth::Autocommit connection(database_);
      SENTINEL_ASSIGN(written, FeedRepository(connection).update_definition(feed));
      if (!written) return no_feed(definition.name);
    }
    audit(caller, client, "firewall.feed.update", definition.name,
          {{"changed", changed},
           {"source", shown_feed_source(definition.source)},
           {"format", to_string(definition.format)},
           {"refresh_s", definition.refresh_s},
           {"enabled", definition.enabled}});
    firewall_log().info("feed updated name={} changed={} by={}", definition.name,
                        boost::json::serialize(changed), caller.username);
    // Enabled or disabled, the feed's set is known or unknown to every policy naming it now.
    if (switched && current.last_success_ms) scheduler_.queue_repush(definition.name);
    scheduler_.wake();
    return get(definition.name);
  }

  void audit(const auth::Principal& caller, const auth::ClientInfo& client, std::string action,
             std::string_view name, boost::json::object details, bool success = true) {
    details["name"] = name;
    const auth::AuditRecord record{.actor = caller.username,
                                   .action = std::move(action),
                                   .target = feed_target(name),
                                   .source_address = client.source_address,
                                   .outcome = success ? "success" : "failure",
                                   .details_json = boost::json::serialize(details)};
    if (auto recorded = audit_.record(record); !recorded) {
      firewall_log().error("audit of {} for {} failed: {}", record.action, record.target,
                           recorded.error().message);
    }
  }

  store::Database& database_;
  auth::AuditLog& audit_;
  const Clock& clock_;
  agents::AgentRegistry& registry_;
  const FeedServiceOptions options_;
  FeedRefresher refresher_;
  FeedContentsCache contents_;
  // Last, so that its thread ends before what it uses is destroyed.
  FeedScheduler scheduler_;
};

}  // namespace

Result<std::unique_ptr<FeedService>> FeedService::create(FeedDependencies dependencies,
                                                         FeedServiceOptions options) {
  if (!dependencies.fetcher) return invalid_argument("a feed service needs a fetcher", "fetcher");
  if (options.max_bytes == 0 || options.max_entries == 0) {
    return invalid_argument("feed limits must be positive", "max_bytes");
  }
  if (options.poll_interval <= std::chrono::milliseconds(0)) {
    return invalid_argument("the poll interval must be positive", "poll_interval");
  }
  if (!options.file_root.empty()) {
    std::error_code error;
    std::filesystem::create_directories(options.file_root, error);
    if (!error) options.file_root = std::filesystem::canonical(options.file_root, error);
    if (error) {
      return internal_error(
          fmt::format("the feed directory {}: {}", options.file_root.string(), error.message()));
    }
  }
  return std::unique_ptr<FeedService>(
      new FeedServiceImpl(std::move(dependencies), std::move(options)));
}

}  // namespace sentinel::firewall
