// Threat-intel feeds: definitions, fetch and store (the previous contents stay when a fetch or
// parse fails), the scheduler on the service's own thread, the contents policies compile with,
// and the re-apply to agents whose policy names a feed whose contents changed.

#include "sentinel/firewall/feed_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "../auth/autocommit.h"
#include "feed_repository.h"
#include "feed_users.h"
#include "logger.h"
#include "policy/policy_syntax.h"
#include "sentinel/common/crypto.h"

namespace sentinel::firewall {

std::string_view to_string(FeedFormat format) {
  return format == FeedFormat::kCsv ? "csv" : "plain";
}

namespace {

constexpr std::size_t kMaxDescriptionLength = 1024;
constexpr std::size_t kMaxColumnLength = 64;
constexpr std::int64_t kDueBatch = 16;
// How long a refresh asked over HTTP waits for a scheduled fetch of the same feed to end.
constexpr std::chrono::seconds kRefreshWait{5};

bool has_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

std::string feed_target(std::string_view name) { return "firewall_feed:" + std::string(name); }

Error no_feed(std::string_view name) {
  return not_found(fmt::format("No firewall feed \"{}\".", name.substr(0, 64)));
}

// The allow-list as sorted address intervals, so that a feed of 100,000 networks is checked
// against 10,000 entries in n log m. CIDR blocks are nested or disjoint, so an entry overlaps
// [first, last] exactly when one starting at or before `last` ends at or after `first`.
class AllowedIntervals {
 public:
  explicit AllowedIntervals(const std::vector<AllowListEntry>& entries) {
    for (const AllowListEntry& entry : entries) {
      Result<IpNetwork> network = parse_ip_network(entry.cidr);
      if (!network) continue;
      auto& family = network->address.family == IpFamily::kV4 ? v4_ : v6_;
      family.push_back({network->first(), network->last(), entry.describe()});
    }
    for (auto* family : {&v4_, &v6_}) {
      std::sort(family->begin(), family->end(),
                [](const Interval& a, const Interval& b) { return a.first < b.first; });
      // Running maximum of `last`, with the entry that reaches it.
      for (std::size_t i = 1; i < family->size(); ++i) {
        if ((*family)[i - 1].reach > (*family)[i].last) {
          (*family)[i].reach = (*family)[i - 1].reach;
          (*family)[i].reach_name = (*family)[i - 1].reach_name;
        }
      }
    }
  }

  /// The entry that overlaps `network`, or nullptr.
  const std::string* overlapping(const IpNetwork& network) const {
    const auto& family = network.address.family == IpFamily::kV4 ? v4_ : v6_;
    const auto after = std::upper_bound(
        family.begin(), family.end(), network.last(),
        [](const Uint128& value, const Interval& interval) { return value < interval.first; });
    if (after == family.begin()) return nullptr;
    const Interval& candidate = *(after - 1);
    return candidate.reach >= network.first() ? &candidate.reach_name : nullptr;
  }

 private:
  struct Interval {
    Interval(Uint128 first_value, Uint128 last_value, std::string name)
        : first(first_value), last(last_value), reach(last_value), reach_name(std::move(name)) {}
    Uint128 first;
    Uint128 last;
    Uint128 reach;
    std::string reach_name;
  };
  std::vector<Interval> v4_;
  std::vector<Interval> v6_;
};

// Canonical text: one network per line, in the parser's order (sorted, IPv4 first).
std::string canonical_text(const std::vector<IpNetwork>& networks) {
  std::string text;
  text.reserve(networks.size() * 16);
  for (const IpNetwork& network : networks) {
    text += format_ip_network(network);
    text += '\n';
  }
  return text;
}

std::vector<IpNetwork> networks_of(std::string_view text, std::string_view feed) {
  std::vector<IpNetwork> networks;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.empty()) continue;
    if (Result<IpNetwork> network = parse_ip_network(line); network) {
      networks.push_back(*network);
    } else {
      firewall_log().error("feed={} stored contents hold '{}': {}", feed, line.substr(0, 64),
                           network.error().message);
    }
  }
  return networks;
}

class FeedServiceImpl final : public FeedService {
 public:
  FeedServiceImpl(FeedDependencies dependencies, FeedServiceOptions options)
      : database_(dependencies.database),
        audit_(dependencies.audit),
        clock_(dependencies.clock),
        registry_(dependencies.registry),
        allow_list_(dependencies.allow_list),
        fetcher_(std::move(dependencies.fetcher)),
        policies_(std::move(dependencies.policies)),
        options_(std::move(options)) {}

  ~FeedServiceImpl() override { stop(); }

  std::string_view name() const override { return "firewall-feeds"; }

  Status start() override {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) return ok();
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
    firewall_log().info("feed scheduler started poll_ms={} file_root={}",
                        options_.poll_interval.count(), options_.file_root.string());
    return ok();
  }

  void stop() override {
    {
      std::lock_guard lock(mutex_);
      if (!thread_.joinable()) return;
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  // ---- definitions ----

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

  Result<Feed> create_feed(const auth::Principal& caller, const FeedDefinition& definition,
                           const auth::ClientInfo& client) override {
    SENTINEL_TRY(check_definition(definition));
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
          {{"source", definition.source},
           {"format", to_string(definition.format)},
           {"column", definition.column},
           {"refresh_s", definition.refresh_s},
           {"enabled", definition.enabled}});
    firewall_log().info("feed created name={} source=\"{}\" by={}", definition.name,
                        definition.source, caller.username);
    wake();
    return get(definition.name);
  }

  Result<Feed> update(const auth::Principal& caller, std::string_view name,
                      const FeedChange& change, const auth::ClientInfo& client) override {
    SENTINEL_ASSIGN(current, get(name));
    Feed feed = current;
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
    SENTINEL_TRY(check_definition(definition));
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
      if (!written) return no_feed(name);
    }
    audit(caller, client, "firewall.feed.update", definition.name,
          {{"changed", changed},
           {"source", definition.source},
           {"format", to_string(definition.format)},
           {"refresh_s", definition.refresh_s},
           {"enabled", definition.enabled}});
    firewall_log().info("feed updated name={} changed={} by={}", definition.name,
                        boost::json::serialize(changed), caller.username);
    // Enabled or disabled, the feed's set is known or unknown to every policy naming it now.
    if (switched && current.last_success_ms) queue_repush(definition.name);
    wake();
    return get(definition.name);
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
    audit(caller, client, "firewall.feed.delete", name, {{"source", source}});
    firewall_log().info("feed deleted name={} by={}", name, caller.username);
    return ok();
  }

  Result<FeedRefresh> refresh(const auth::Principal& caller, std::string_view name,
                              const auth::ClientInfo& client) override {
    SENTINEL_ASSIGN(feed, get(name));
    std::unique_lock lock(feed_mutex(feed.id), std::defer_lock);
    // The scheduler may be fetching it: wait a little, not past the gateway's request timeout.
    if (!lock.try_lock_for(kRefreshWait)) {
      return conflict(
          fmt::format("feed \"{}\" is being fetched right now; its outcome shows on "
                      "the feed in a moment",
                      feed.definition.name));
    }
    FeedRefresh outcome = fetch_and_store(feed);
    lock.unlock();
    if (outcome.changed) {
      Result<std::vector<std::string>> agents = agents_using_feed(database_, registry_, name);
      if (agents) outcome.repush = *agents;
      queue_repush(feed.definition.name);
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

  FeedSnapshot contents() override {
    std::lock_guard lock(cache_mutex_);
    std::vector<ContentsHead> heads;
    {
      auth::Autocommit connection(database_);
      Result<std::vector<ContentsHead>> found = FeedRepository(connection).enabled_heads();
      if (!found) {
        firewall_log().error("feed contents unknown, the last ones are used: {}",
                             found.error().message);
        return snapshot_ ? snapshot_ : std::make_shared<const FeedContents>();
      }
      heads = std::move(*found);
    }
    if (snapshot_ && same_heads(heads)) return snapshot_;
    auto contents = std::make_shared<FeedContents>();
    std::map<std::int64_t, CachedNetworks> cache;
    for (const ContentsHead& head : heads) {
      const auto cached = cache_.find(head.feed_id);
      if (cached != cache_.end() && cached->second.sha256 == head.sha256) {
        cache.emplace(head.feed_id, cached->second);
      } else {
        auth::Autocommit connection(database_);
        Result<std::optional<StoredContents>> stored =
            FeedRepository(connection).contents(head.feed_id);
        if (!stored || !*stored) continue;  // deleted meanwhile: unknown, as if never fetched
        cache.emplace(
            head.feed_id,
            CachedNetworks{(*stored)->sha256, std::make_shared<const std::vector<IpNetwork>>(
                                                  networks_of((*stored)->networks, head.name))});
      }
      contents->emplace(head.name, *cache.at(head.feed_id).networks);
    }
    cache_ = std::move(cache);
    heads_ = std::move(heads);
    snapshot_ = std::move(contents);
    return snapshot_;
  }

 private:
  struct CachedNetworks {
    std::string sha256;
    std::shared_ptr<const std::vector<IpNetwork>> networks;
  };

  Status check_definition(const FeedDefinition& definition) const {
    if (!detail::is_object_name(definition.name)) {
      return invalid_argument(
          "a feed name is a letter, then up to 31 letters, digits, '_' or '-' (policies name it "
          "in an address set's \"feed\")",
          "name");
    }
    SENTINEL_TRY(parse_feed_source(definition.source, options_.file_root));
    if (definition.format == FeedFormat::kCsv) {
      if (definition.column.empty()) {
        return invalid_argument(
            "a csv feed needs 'column': the header name or the 1-based number of the column "
            "that holds the address",
            "column");
      }
    } else if (!definition.column.empty()) {
      return invalid_argument("'column' is only for csv feeds", "column");
    }
    if (definition.column.size() > kMaxColumnLength || has_control(definition.column)) {
      return invalid_argument(
          fmt::format("'column' has at most {} bytes and no control characters", kMaxColumnLength),
          "column");
    }
    if (definition.refresh_s < kMinFeedRefreshSeconds ||
        definition.refresh_s > kMaxFeedRefreshSeconds) {
      return invalid_argument(fmt::format("'refresh_s' is between {} and {} seconds",
                                          kMinFeedRefreshSeconds, kMaxFeedRefreshSeconds),
                              "refresh_s");
    }
    if (definition.description.size() > kMaxDescriptionLength ||
        has_control(definition.description)) {
      return invalid_argument(
          fmt::format("'description' has at most {} bytes on one line", kMaxDescriptionLength),
          "description");
    }
    return ok();
  }

  static Error in_use(std::string_view name, const std::vector<FeedUser>& users) {
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

  // Fetch, parse and the allow-list; the networks to store, or why nothing is stored.
  Result<FeedList> fetch_list(const FeedDefinition& definition) {
    SENTINEL_ASSIGN(location, parse_feed_source(definition.source, options_.file_root));
    SENTINEL_ASSIGN(text, fetcher_->fetch(location, options_.max_bytes));
    FeedOptions parse_options;
    parse_options.format = definition.format;
    parse_options.column = definition.column;
    parse_options.max_bytes = options_.max_bytes;
    parse_options.max_entries = options_.max_entries;
    SENTINEL_ASSIGN(list, parse_feed_list(text, parse_options));
    if (list.networks.empty() && list.skipped > 0) {
      // An error page or a changed format, not an empty list: keep what we have.
      return invalid_argument(
          fmt::format("no line holds an address ({} skipped; line {}: {})", list.skipped,
                      list.problems.empty() ? 0 : list.problems.front().line,
                      list.problems.empty() ? "" : list.problems.front().message),
          "source");
    }
    SENTINEL_ASSIGN(entries, allow_list_.list());
    const AllowedIntervals allowed(entries);
    std::vector<IpNetwork> kept;
    kept.reserve(list.networks.size());
    for (const IpNetwork& network : list.networks) {
      const std::string* entry = allowed.overlapping(network);
      if (entry == nullptr) {
        kept.push_back(network);
        continue;
      }
      ++list.skipped;
      if (list.problems.size() < parse_options.max_reported) {
        list.problems.push_back(
            {0, fmt::format("'{}' overlaps {}: left out", format_ip_network(network), *entry)});
      }
    }
    list.networks = std::move(kept);
    return list;
  }

  // The caller holds the feed's mutex.
  FeedRefresh fetch_and_store(const Feed& feed) {
    const FeedDefinition& definition = feed.definition;
    const std::int64_t now = clock_.now_ms();
    FeedRefresh outcome;
    Result<FeedList> list = fetch_list(definition);
    if (!list) {
      outcome.error = list.error().message;
      const std::int64_t retry_s =
          std::min<std::int64_t>(definition.refresh_s, options_.retry_after_failure.count());
      auth::Autocommit connection(database_);
      if (Status recorded = FeedRepository(connection)
                                .record_failure(feed.id, now, outcome.error, now + retry_s * 1000);
          !recorded) {
        firewall_log().error("feed={} failure not recorded: {}", definition.name,
                             recorded.error().message);
      }
      firewall_log().warn("feed fetch failed name={} error=\"{}\"; the previous contents stay",
                          definition.name, outcome.error);
    } else {
      const std::string text = canonical_text(list->networks);
      const StoredContents contents{text, crypto::sha256_hex(text),
                                    static_cast<std::int64_t>(list->networks.size())};
      const FetchSuccess success{contents.entries, static_cast<std::int64_t>(list->skipped),
                                 list->problems};
      bool changed = false;
      Status stored = database_.transact([&](store::Connection& connection) -> Status {
        FeedRepository feeds(connection);
        SENTINEL_ASSIGN(previous, feeds.contents_sha256(feed.id));
        changed = previous != contents.sha256;
        if (changed) SENTINEL_TRY(feeds.store_contents(feed.id, contents, now));
        return feeds.record_success(feed.id, now, success,
                                    now + definition.refresh_s * std::int64_t{1000});
      });
      if (!stored) {
        outcome.error = "the contents could not be stored: " + stored.error().message;
        firewall_log().error("feed={} {}", definition.name, outcome.error);
      } else {
        outcome.ok = true;
        outcome.changed = changed;
        outcome.entries = success.entries;
        outcome.bad_lines = success.bad_lines;
        outcome.problems = success.problems;
        firewall_log().info("feed fetched name={} entries={} bad_lines={} changed={}",
                            definition.name, success.entries, success.bad_lines, changed);
      }
    }
    Result<Feed> after = get(definition.name);
    outcome.feed = after ? std::move(*after) : feed;
    if (!outcome.ok) outcome.entries = outcome.feed.entries;
    return outcome;
  }

  bool same_heads(const std::vector<ContentsHead>& heads) const {
    return std::equal(heads.begin(), heads.end(), heads_.begin(), heads_.end(),
                      [](const ContentsHead& a, const ContentsHead& b) {
                        return a.feed_id == b.feed_id && a.name == b.name && a.sha256 == b.sha256;
                      });
  }

  // ---- the scheduler's thread ----

  void run() {
    while (true) {
      fetch_due();
      repush_queued();
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, options_.poll_interval, [this] { return stopping_ || woken_; });
      if (stopping_) return;
      woken_ = false;
    }
  }

  bool stopping() {
    std::lock_guard lock(mutex_);
    return stopping_;
  }

  void fetch_due() {
    std::vector<Feed> due;
    const std::int64_t now = clock_.now_ms();
    {
      auth::Autocommit connection(database_);
      Result<std::vector<Feed>> found = FeedRepository(connection).due(now, kDueBatch);
      if (!found) {
        firewall_log().error("due feeds unknown: {}", found.error().message);
        return;
      }
      due = std::move(*found);
    }
    for (const Feed& feed : due) {
      if (stopping()) return;
      {
        auth::Autocommit connection(database_);
        Result<bool> claimed = FeedRepository(connection)
                                   .claim(feed.id, feed.next_fetch_ms,
                                          now + feed.definition.refresh_s * std::int64_t{1000});
        if (!claimed || !*claimed) continue;  // another process fetches it
      }
      std::unique_lock lock(feed_mutex(feed.id));
      const FeedRefresh outcome = fetch_and_store(feed);
      lock.unlock();
      if (outcome.changed) queue_repush(feed.definition.name);
    }
  }

  void queue_repush(const std::string& feed) {
    {
      std::lock_guard lock(mutex_);
      if (std::find(repush_.begin(), repush_.end(), feed) == repush_.end()) {
        repush_.push_back(feed);
      }
    }
    wake();
  }

  void repush_queued() {
    while (true) {
      std::string feed;
      {
        std::lock_guard lock(mutex_);
        if (stopping_ || repush_.empty()) return;
        feed = std::move(repush_.front());
        repush_.pop_front();
      }
      repush(feed);
    }
  }

  // The agents whose effective policy names `feed` get it compiled with the new contents, with
  // the validation of any apply (a feed now holding the server's address is refused there).
  void repush(const std::string& feed) {
    Result<std::vector<std::string>> agents = agents_using_feed(database_, registry_, feed);
    if (!agents) {
      firewall_log().error("feed={} agents to update unknown: {}", feed, agents.error().message);
      return;
    }
    if (agents->empty()) return;
    PolicyService* policies = policies_ ? policies_() : nullptr;
    if (policies == nullptr) {
      firewall_log().warn("feed={} changed; no policy service here to update {} agents", feed,
                          agents->size());
      return;
    }
    auth::Principal system;
    system.username = "feed:" + feed;
    ApplyRequest request;
    request.agent_ids = std::move(*agents);
    Result<std::vector<AgentApplyResult>> results =
        policies->apply(system, request, auth::ClientInfo{"", "feed scheduler"});
    if (!results) {
      firewall_log().error("feed={} re-apply failed: {}", feed, results.error().message);
      return;
    }
    std::map<std::string_view, int> outcomes;
    for (const AgentApplyResult& result : *results) ++outcomes[to_string(result.outcome)];
    std::string counts;
    for (const auto& [outcome, count] : outcomes) {
      counts += fmt::format("{}{}={}", counts.empty() ? "" : ",", outcome, count);
    }
    firewall_log().info("feed={} changed: re-applied to {} agents outcomes={}", feed,
                        results->size(), counts);
  }

  void wake() {
    {
      std::lock_guard lock(mutex_);
      woken_ = true;
    }
    wake_.notify_all();
  }

  std::timed_mutex& feed_mutex(std::int64_t id) {
    std::lock_guard lock(feed_mutexes_mutex_);
    std::unique_ptr<std::timed_mutex>& slot = feed_mutexes_[id];
    if (!slot) slot = std::make_unique<std::timed_mutex>();
    return *slot;
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
  AllowList& allow_list_;
  std::unique_ptr<FeedFetcher> fetcher_;
  std::function<PolicyService*()> policies_;
  const FeedServiceOptions options_;

  std::mutex mutex_;  // guards the scheduler's state below
  std::condition_variable wake_;
  bool stopping_ = false;
  bool woken_ = false;
  std::deque<std::string> repush_;
  std::thread thread_;

  std::mutex feed_mutexes_mutex_;
  std::map<std::int64_t, std::unique_ptr<std::timed_mutex>> feed_mutexes_;

  std::mutex cache_mutex_;  // guards the contents cache below
  std::vector<ContentsHead> heads_;
  std::map<std::int64_t, CachedNetworks> cache_;
  FeedSnapshot snapshot_;
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
