// The feed service on SQLite and PostgreSQL, with a fake fetcher (our FeedFetcher interface) and
// a real policy service over the scripted agent channel: definitions, fetch and store, the
// previous contents kept on failure, the allow-list, a restart without fetching, the scheduler
// across two processes, deletion of a feed in use, and the re-apply to the agents whose policy
// names a feed whose contents changed.

#include "sentinel/firewall/feed_service.h"

#include <fmt/format.h>
#include <gmock/gmock.h>

#include <map>
#include <mutex>

#include "sentinel/firewall/allow_list.h"
#include "tests/unit/firewall/policy_service_fixture.h"

namespace sentinel::firewall::policy_test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kFeedUrl = "https://feeds.example/bad.txt";

/// Answers each URL as told; counts what it was asked. Thread-safe.
class FakeFetcher final : public FeedFetcher {
 public:
  Result<std::string> fetch(const FeedLocation& location, std::size_t max_bytes) override {
    std::lock_guard lock(mutex_);
    fetched_.push_back(location.url);
    const auto found = answers_.find(location.url);
    if (found == answers_.end()) return unavailable("GET " + location.url + ": HTTP 404");
    if (found->second && found->second->size() > max_bytes) {
      return Error{ErrorCode::kPayloadTooLarge, "too large", {}, {}};
    }
    return found->second;
  }

  void serve(const std::string& url, Result<std::string> answer) {
    std::lock_guard lock(mutex_);
    answers_.insert_or_assign(url, std::move(answer));
  }

  std::size_t fetches() const {
    std::lock_guard lock(mutex_);
    return fetched_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Result<std::string>> answers_;
  std::vector<std::string> fetched_;
};

/// A policy that drops what feed "bad" lists and accepts ssh from the admins.
std::string policy_with_feed(const std::string& feed = "bad") {
  return R"({
  "objects": {"address_sets": {"bad": {"feed": ")" +
         feed + R"("}, "admins": {"addresses": ["10.0.0.0/24"]}}},
  "chains": {
    "input": {"policy": "drop", "rules": [
      {"id": "drop-bad", "source": "bad", "action": "drop"},
      {"id": "ssh-admins", "source": "admins", "protocol": "tcp", "ports": 22, "action": "accept"}
    ]},
    "output": {"policy": "accept"}
  }
})";
}

Assignment to_group(const std::string& group) {
  return Assignment{.target = AssignmentTarget::kGroup, .value = group};
}

class FeedServiceTest : public agents::AgentsTest {
 protected:
  void SetUp() override {
    AgentsTest::SetUp();
    if (HasFatalFailure()) return;
    AllowListOptions allow_options;
    allow_options.endpoints = {{"agents.listen", "192.0.2.1:8444"}};
    allow_options.host_interfaces = false;
    allow_list_ = AllowList::create(*db_, *audit_, clock_, allow_options);
    auto feeds = make_feed_service(*db_, fetcher_);
    ASSERT_TRUE(feeds) << feeds.error().message;
    feeds_ = std::move(*feeds);

    PolicyServiceOptions options;
    options.channel_listen = "192.0.2.1:8444";
    options.workers = 2;
    auto policies = PolicyService::create(
        PolicyServiceDependencies{.database = *db_,
                                  .audit = *audit_,
                                  .bus = *bus_,
                                  .clock = clock_,
                                  .registry = *registry_,
                                  .channel = channel_,
                                  .active_blocks = {},
                                  .feeds = [this] { return feeds_->contents(); }},
        options);
    ASSERT_TRUE(policies) << policies.error().message;
    policies_ = std::move(*policies);
    ASSERT_TRUE(policies_->start());
  }

  void TearDown() override {
    if (feeds_) feeds_->stop();
    if (policies_) policies_->stop();
    AgentsTest::TearDown();
  }

  /// A feed service on `database` fetching through `fetcher` (kept by the test, owned by the
  /// service), with the test's allow-list and policy service.
  Result<std::unique_ptr<FeedService>> make_feed_service(store::Database& database,
                                                         FakeFetcher*& fetcher) {
    auto owned = std::make_unique<FakeFetcher>();
    fetcher = owned.get();
    FeedServiceOptions options;
    options.file_root = dir_.path() / "feeds";
    options.poll_interval = std::chrono::milliseconds(20);
    options.max_entries = 1000;
    return FeedService::create(
        FeedDependencies{database, *audit_, clock_, *registry_, *allow_list_, std::move(owned),
                         [this] { return policies_.get(); }},
        options);
  }

  static FeedDefinition definition(const std::string& name, const std::string& source = kFeedUrl) {
    FeedDefinition feed;
    feed.name = name;
    feed.source = source;
    return feed;
  }

  Feed created(const std::string& name = "bad", const std::string& source = kFeedUrl) {
    auto feed = feeds_->create_feed(admin_, definition(name, source), client_).feed;
    EXPECT_TRUE(feed) << feed.error().message;
    return feed ? *feed : Feed{};
  }

  FeedRefresh refreshed(const std::string& name = "bad") {
    auto outcome = feeds_->refresh(admin_, name, client_);
    EXPECT_TRUE(outcome) << outcome.error().message;
    return outcome ? *outcome : FeedRefresh{};
  }

  std::int64_t policy(const std::string& name, const std::string& document) {
    auto saved = policies_->create_policy(admin_, {name, "", document, ""}, client_);
    EXPECT_TRUE(saved) << saved.error().message;
    return saved ? saved->policy.id : 0;
  }

  std::string preview(std::int64_t policy_id) {
    auto shown = policies_->preview(policy_id, std::nullopt, "");
    EXPECT_TRUE(shown) << shown.error().message;
    return shown ? shown->nft : std::string();
  }

  /// The networks feed `name` has in the contents policies compile with, as text.
  std::vector<std::string> contents_of(const std::string& name) {
    const FeedSnapshot snapshot = feeds_->contents();
    std::vector<std::string> out;
    if (!snapshot) return out;
    const auto found = snapshot->find(name);
    if (found == snapshot->end()) return {"<absent>"};
    for (const IpNetwork& network : found->second) out.push_back(format_ip_network(network));
    return out;
  }

  /// Enrols an agent of `group`, connected from 192.0.2.7.
  std::string agent(const std::string& hostname, const std::string& group) {
    agents::EnrollmentTokenSpec spec;
    spec.group = group;
    auto grant = enroll(new_token(spec).token, hostname);
    EXPECT_TRUE(grant) << grant.error().message;
    if (!grant) return {};
    const agents::AgentFacts facts{hostname, "Debian GNU/Linux 12", "6.1.0", "x86_64", "0.1.0"};
    EXPECT_TRUE(registry_->record_connected(grant->agent_id, facts, "192.0.2.7"));
    return grant->agent_id;
  }

  std::vector<std::string> applies_to(const std::string& agent_id) {
    std::vector<std::string> nft;
    for (const auto& call : channel_.calls("firewall_apply")) {
      if (call.agent_id == agent_id) nft.emplace_back(call.args.at("nft").as_string());
    }
    return nft;
  }

  std::vector<std::string> audit_actors(const std::string& action) {
    auth::AuditQuery query;
    query.action_prefix = action;
    auto entries = audit_->list(query);
    EXPECT_TRUE(entries);
    std::vector<std::string> out;
    if (entries) {
      for (const auto& entry : *entries) out.push_back(entry.record.actor);
    }
    return out;
  }

  template <typename Condition>
  void eventually(Condition condition, const std::string& what) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "never happened: " << what;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  ScriptedChannel channel_;
  std::unique_ptr<AllowList> allow_list_;
  FakeFetcher* fetcher_ = nullptr;
  std::unique_ptr<FeedService> feeds_;
  std::unique_ptr<PolicyService> policies_;
};

TEST_P(FeedServiceTest, ADefinitionIsCheckedNamingTheField) {
  const auto refused = [this](FeedDefinition feed, const std::string& field,
                              const std::string& why) {
    const FeedWrite created = feeds_->create_feed(admin_, feed, client_);
    ASSERT_FALSE(created.feed) << feed.name;
    EXPECT_EQ(created.feed.error().code, ErrorCode::kInvalidArgument) << feed.name;
    EXPECT_EQ(created.feed.error().field, field) << created.feed.error().message;
    EXPECT_THAT(created.feed.error().message, HasSubstr(why));
    ASSERT_EQ(created.problems.size(), 1u) << created.feed.error().message;
    EXPECT_EQ(created.problems.front().path, field);
  };
  refused(definition("1bad"), "name", "a letter");
  refused(definition("bad list"), "name", "a letter");
  refused(definition(std::string(33, 'a')), "name", "up to 31");
  refused(definition("bad", "ftp://feeds.example/x"), "source", "http:// or https://");
  refused(definition("bad", "/etc/passwd"), "source", "not inside the feed directory");
  FeedDefinition csv = definition("bad");
  csv.format = FeedFormat::kCsv;
  refused(csv, "column", "needs 'column'");
  FeedDefinition plain = definition("bad");
  plain.column = "ip";
  refused(plain, "column", "only for csv");
  FeedDefinition fast = definition("bad");
  fast.refresh_s = 299;
  refused(fast, "refresh_s", "between 300 and 604800");
  FeedDefinition rare = definition("bad");
  rare.refresh_s = 604801;
  refused(rare, "refresh_s", "between 300");
  FeedDefinition noisy = definition("bad");
  noisy.description = "two\nlines";
  refused(noisy, "description", "one line");
  auto none = feeds_->list();
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  const Feed feed = created("bad");
  EXPECT_EQ(feed.definition.refresh_s, 3600);
  EXPECT_TRUE(feed.definition.enabled);
  EXPECT_EQ(feed.created_by, "admin");
  EXPECT_EQ(feed.next_fetch_ms, clock_.now_ms()) << "a new feed is due at once";
  const FeedWrite twice = feeds_->create_feed(admin_, definition("bad"), client_);
  ASSERT_FALSE(twice.feed);
  EXPECT_EQ(twice.feed.error().code, ErrorCode::kConflict);
  EXPECT_EQ(twice.feed.error().field, "name");
  EXPECT_TRUE(twice.problems.empty()) << "a taken name is not a problem of the definition";
  EXPECT_EQ(feeds_->get("missing").error().code, ErrorCode::kNotFound);
  EXPECT_THAT(audit_actors("firewall.feed.create"), ElementsAre("admin"));
}

TEST_P(FeedServiceTest, ARefreshStoresTheNetworksAndPoliciesCompileWithThem) {
  created("bad");
  const std::int64_t id = policy("edge", policy_with_feed());
  // Never fetched: the set is unknown, declared empty.
  EXPECT_THAT(contents_of("bad"), ElementsAre("<absent>"));
  EXPECT_THAT(preview(id), Not(HasSubstr("198.51.100.0/24")));

  fetcher_->serve(kFeedUrl, std::string("# bad hosts\n192.0.2.77\n198.51.100.0/24\nnot-an-ip\n"
                                        "2001:db8:bad::/48\n198.51.100.0/24\n"));
  const FeedRefresh outcome = refreshed();
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_TRUE(outcome.changed);
  EXPECT_EQ(outcome.entries, 3);
  EXPECT_EQ(outcome.bad_lines, 1);
  ASSERT_EQ(outcome.problems.size(), 1u);
  EXPECT_EQ(outcome.problems[0].line, 4u);
  EXPECT_THAT(outcome.problems[0].message, HasSubstr("not-an-ip"));
  EXPECT_EQ(outcome.feed.entries, 3);
  EXPECT_TRUE(outcome.feed.last_success_ms);
  EXPECT_EQ(outcome.feed.next_fetch_ms, clock_.now_ms() + 3600 * 1000);

  EXPECT_THAT(contents_of("bad"),
              ElementsAre("192.0.2.77", "198.51.100.0/24", "2001:db8:bad::/48"));
  const std::string nft = preview(id);
  EXPECT_THAT(nft, HasSubstr("192.0.2.77"));
  EXPECT_THAT(nft, HasSubstr("198.51.100.0/24"));
  EXPECT_THAT(nft, HasSubstr("2001:db8:bad::/48"));

  // The same text again changes nothing.
  EXPECT_FALSE(refreshed().changed);
  EXPECT_THAT(audit_actors("firewall.feed.refresh"), ElementsAre("admin", "admin"));
}

TEST_P(FeedServiceTest, AFailedFetchOrAnErrorPageKeepsThePreviousContents) {
  created("bad");
  fetcher_->serve(kFeedUrl, std::string("192.0.2.77\n198.51.100.0/24\n"));
  ASSERT_TRUE(refreshed().ok);
  const std::int64_t succeeded = clock_.now_ms();

  clock_.advance_ms(60'000);
  fetcher_->serve(kFeedUrl, unavailable("GET https://feeds.example/bad.txt: HTTP 503"));
  const FeedRefresh failed = refreshed();
  EXPECT_FALSE(failed.ok);
  EXPECT_FALSE(failed.changed);
  EXPECT_THAT(failed.error, HasSubstr("HTTP 503"));
  EXPECT_EQ(failed.entries, 2) << "the stored entries are the previous ones";
  EXPECT_EQ(failed.feed.last_error, failed.error);
  EXPECT_EQ(failed.feed.last_success_ms, succeeded);
  EXPECT_EQ(failed.feed.last_fetch_ms, clock_.now_ms());
  EXPECT_EQ(failed.feed.next_fetch_ms, clock_.now_ms() + 300 * 1000) << "retried sooner";
  EXPECT_THAT(contents_of("bad"), ElementsAre("192.0.2.77", "198.51.100.0/24"));

  // An error page served as 200 is not an empty list.
  fetcher_->serve(kFeedUrl, std::string("<html>\n<body>Service unavailable</body>\n</html>\n"));
  const FeedRefresh page = refreshed();
  EXPECT_FALSE(page.ok);
  EXPECT_THAT(page.error, HasSubstr("no line holds an address (3 skipped"));
  EXPECT_THAT(contents_of("bad"), ElementsAre("192.0.2.77", "198.51.100.0/24"));

  // A list that is too large is refused whole.
  std::string many;
  for (int i = 0; i < 1001; ++i)
    many += "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".1\n";
  fetcher_->serve(kFeedUrl, many);
  const FeedRefresh large = refreshed();
  EXPECT_FALSE(large.ok);
  EXPECT_THAT(large.error, HasSubstr("more than 1000 entries"));
  EXPECT_THAT(contents_of("bad"), ElementsAre("192.0.2.77", "198.51.100.0/24"));

  fetcher_->serve(kFeedUrl, std::string("203.0.113.8\n"));
  const FeedRefresh again = refreshed();
  EXPECT_TRUE(again.ok);
  EXPECT_EQ(again.feed.last_error, "");
  EXPECT_THAT(contents_of("bad"), ElementsAre("203.0.113.8"));
}

TEST_P(FeedServiceTest, NetworksOverlappingTheAllowListAreLeftOutAndNamed) {
  auto partner = allow_list_->add(admin_, "203.0.113.0/24", "partner", client_);
  ASSERT_TRUE(partner) << partner.error().message;
  created("bad");
  fetcher_->serve(kFeedUrl, std::string("203.0.113.0/25\n127.0.0.1\n192.0.2.0/24\n198.51.100.7\n"
                                        "203.0.0.0/16\n"));
  const FeedRefresh outcome = refreshed();
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_EQ(outcome.entries, 1);
  EXPECT_EQ(outcome.bad_lines, 4);
  std::string messages;
  for (const FeedProblem& problem : outcome.problems) {
    EXPECT_EQ(problem.line, 0u) << "allow-list problems are not lines";
    messages += problem.message + "\n";
  }
  EXPECT_THAT(messages, HasSubstr("'203.0.113.0/25' overlaps allow-list entry"));
  EXPECT_THAT(messages, HasSubstr("'203.0.0.0/16' overlaps allow-list entry"));
  EXPECT_THAT(messages, HasSubstr("(203.0.113.0/24, partner)"));
  EXPECT_THAT(messages, HasSubstr("'127.0.0.1' overlaps built-in allow-list entry loopback"));
  EXPECT_THAT(messages,
              HasSubstr("'192.0.2.0/24' overlaps built-in allow-list entry agents.listen"));
  EXPECT_THAT(contents_of("bad"), ElementsAre("198.51.100.7"));

  // The fetch stored the list whole: without the entry, its networks are in effect at once.
  ASSERT_TRUE(allow_list_->remove(admin_, *partner->id, client_));
  EXPECT_THAT(contents_of("bad"), ElementsAre("198.51.100.7", "203.0.0.0/16", "203.0.113.0/25"));
  EXPECT_EQ(fetcher_->fetches(), 1u);
}

TEST_P(FeedServiceTest, StoredContentsSurviveARestartWithoutAFetch) {
  created("bad");
  fetcher_->serve(kFeedUrl, std::string("192.0.2.77\n2001:db8::/32\n"));
  ASSERT_TRUE(refreshed().ok);

  auto database = open_database();
  ASSERT_TRUE(database);
  FakeFetcher* fetcher = nullptr;
  auto restarted = make_feed_service(*database, fetcher);
  ASSERT_TRUE(restarted) << restarted.error().message;
  const FeedSnapshot snapshot = (*restarted)->contents();
  ASSERT_TRUE(snapshot);
  ASSERT_TRUE(snapshot->contains("bad"));
  ASSERT_EQ(snapshot->at("bad").size(), 2u);
  EXPECT_EQ(format_ip_network(snapshot->at("bad")[1]), "2001:db8::/32");
  EXPECT_EQ(fetcher->fetches(), 0u);
}

TEST_P(FeedServiceTest, TheSchedulerFetchesEachDueFeedOnceAcrossProcesses) {
  auto database = open_database();
  ASSERT_TRUE(database);
  FakeFetcher* other_fetcher = nullptr;
  auto other = make_feed_service(*database, other_fetcher);
  ASSERT_TRUE(other) << other.error().message;
  fetcher_->serve(kFeedUrl, std::string("192.0.2.77\n"));
  other_fetcher->serve(kFeedUrl, std::string("192.0.2.77\n"));
  FeedDefinition off = definition("off", "https://feeds.example/off.txt");
  off.enabled = false;
  ASSERT_TRUE(feeds_->create_feed(admin_, off, client_).feed);
  ASSERT_TRUE(feeds_->start());
  ASSERT_TRUE((*other)->start());
  created("bad");
  const auto total = [&] { return fetcher_->fetches() + other_fetcher->fetches(); };
  eventually([&] { return total() >= 1; }, "the first fetch");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(total(), 1u) << "one process claimed the feed";
  EXPECT_THAT(contents_of("bad"), ElementsAre("192.0.2.77"));

  // Not due before its interval; due after it.
  clock_.advance_ms(3599 * 1000);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(total(), 1u);
  clock_.advance_ms(1000);
  eventually([&] { return total() >= 2; }, "the second fetch");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(total(), 2u);
  (*other)->stop();
  auto disabled = feeds_->get("off");
  ASSERT_TRUE(disabled);
  EXPECT_FALSE(disabled->last_fetch_ms) << "a disabled feed is never fetched";
}

TEST_P(FeedServiceTest, DeletingAFeedAPolicyUsesIsAConflictNamingThePolicies) {
  created("bad");
  const std::int64_t edge = policy("edge", policy_with_feed());
  const std::int64_t web = policy("web", policy_with_feed());
  policy("other", kPolicyV1);
  auto refused = feeds_->remove(admin_, "bad", client_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_EQ(refused.error().reason, "feed_in_use");
  EXPECT_THAT(refused.error().message, HasSubstr("\"edge\" (id " + std::to_string(edge) + ")"));
  EXPECT_THAT(refused.error().message, HasSubstr("\"web\""));
  EXPECT_THAT(refused.error().message, Not(HasSubstr("\"other\"")));
  auto users = feeds_->users("bad");
  ASSERT_TRUE(users);
  ASSERT_EQ(users->size(), 2u);

  // Only the newest version counts.
  ASSERT_TRUE(policies_->update(admin_, web, PolicyEdit{.document_json = kPolicyV1}, client_));
  ASSERT_TRUE(policies_->remove(admin_, edge, client_));
  ASSERT_TRUE(feeds_->remove(admin_, "bad", client_));
  EXPECT_EQ(feeds_->get("bad").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(feeds_->remove(admin_, "bad", client_).error().code, ErrorCode::kNotFound);
  EXPECT_THAT(audit_actors("firewall.feed.delete"), ElementsAre("admin"));
}

TEST_P(FeedServiceTest, AgentsWhosePolicyNamesAChangedFeedGetItAgain) {
  const std::string edge_agent = agent("edge-1", "edge");
  const std::string other_agent = agent("db-1", "db");
  // Their connect syncs (nothing assigned yet) are done before anything is assigned.
  eventually([&] { return channel_.calls("firewall_status").size() == 2; }, "connect syncs");
  const std::int64_t edge = policy("edge", policy_with_feed());
  const std::int64_t db = policy("db", kPolicyV1);
  ASSERT_TRUE(policies_->set_assignments(admin_, edge, {to_group("edge")}, client_));
  ASSERT_TRUE(policies_->set_assignments(admin_, db, {to_group("db")}, client_));

  // The scheduler fetches the new feed at once; its contents are new, so the edge agent gets its
  // policy with them.
  fetcher_->serve(kFeedUrl, std::string("198.51.100.0/24\n"));
  ASSERT_TRUE(feeds_->start());
  created("bad");
  eventually([&] { return applies_to(edge_agent).size() == 1; }, "the first re-apply");
  EXPECT_THAT(applies_to(edge_agent).at(0), HasSubstr("198.51.100.0/24"));
  // The confirm is a call of its own, after the apply's answer.
  eventually([&] { return channel_.firewall(edge_agent).confirmed == 1; }, "the confirm");

  fetcher_->serve(kFeedUrl, std::string("203.0.113.0/24\n"));
  const FeedRefresh changed = refreshed();
  ASSERT_TRUE(changed.changed) << changed.error;
  EXPECT_THAT(changed.repush, ElementsAre(edge_agent));
  eventually([&] { return applies_to(edge_agent).size() == 2; }, "the second re-apply");
  EXPECT_THAT(applies_to(edge_agent).at(1), HasSubstr("203.0.113.0/24"));
  EXPECT_THAT(applies_to(edge_agent).at(1), Not(HasSubstr("198.51.100.0/24")));

  // Unchanged contents are not pushed again, and the other agent's policy names no feed.
  EXPECT_FALSE(refreshed().changed);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(applies_to(edge_agent).size(), 2u);
  EXPECT_TRUE(applies_to(other_agent).empty());
  EXPECT_THAT(audit_actors("firewall.apply"), ElementsAre("feed:bad", "feed:bad"));
}

TEST_P(FeedServiceTest, AnAllowListChangeReachesTheAgentsOfTheFeedsItChangesWithoutAFetch) {
  const std::string edge_agent = agent("edge-1", "edge");
  const std::string other_agent = agent("db-1", "db");
  eventually([&] { return channel_.calls("firewall_status").size() == 2; }, "connect syncs");
  const std::int64_t edge = policy("edge", policy_with_feed());
  const std::int64_t db = policy("db", kPolicyV1);
  ASSERT_TRUE(policies_->set_assignments(admin_, edge, {to_group("edge")}, client_));
  ASSERT_TRUE(policies_->set_assignments(admin_, db, {to_group("db")}, client_));
  created("bad");
  fetcher_->serve(kFeedUrl, std::string("198.51.100.0/24\n203.0.113.0/24\n"));
  ASSERT_TRUE(refreshed().changed);
  ASSERT_TRUE(feeds_->start());
  eventually([&] { return applies_to(edge_agent).size() == 1; }, "the fetch's re-apply");
  EXPECT_THAT(applies_to(edge_agent).at(0), HasSubstr("198.51.100.0/24"));
  eventually([&] { return channel_.firewall(edge_agent).confirmed == 1; }, "the confirm");
  const std::size_t fetches = fetcher_->fetches();

  auto partner = allow_list_->add(admin_, "198.51.100.0/24", "partner", client_);
  ASSERT_TRUE(partner) << partner.error().message;
  EXPECT_THAT(contents_of("bad"), ElementsAre("203.0.113.0/24")) << "in every compile at once";
  eventually([&] { return applies_to(edge_agent).size() == 2; }, "the allow-list's re-apply");
  EXPECT_THAT(applies_to(edge_agent).at(1), Not(HasSubstr("198.51.100.0/24")));
  EXPECT_THAT(applies_to(edge_agent).at(1), HasSubstr("203.0.113.0/24"));

  // An entry that overlaps no feed network changes no feed: nothing is pushed.
  ASSERT_TRUE(allow_list_->add(admin_, "192.0.2.200", "printer", client_));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(applies_to(edge_agent).size(), 2u);

  ASSERT_TRUE(allow_list_->remove(admin_, *partner->id, client_));
  EXPECT_THAT(contents_of("bad"), ElementsAre("198.51.100.0/24", "203.0.113.0/24"));
  eventually([&] { return applies_to(edge_agent).size() == 3; }, "the re-apply with it again");
  EXPECT_THAT(applies_to(edge_agent).at(2), HasSubstr("198.51.100.0/24"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(applies_to(edge_agent).size(), 3u) << "once per change";
  EXPECT_TRUE(applies_to(other_agent).empty());
  EXPECT_EQ(fetcher_->fetches(), fetches) << "no fetch was needed";
  EXPECT_THAT(audit_actors("firewall.apply"), ElementsAre("feed:bad", "feed:bad", "feed:bad"));
}

TEST_P(FeedServiceTest, ADisabledFeedLeavesPoliciesAndTheirAgentsGetThatToo) {
  const std::string edge_agent = agent("edge-1", "edge");
  eventually([&] { return channel_.calls("firewall_status").size() == 1; }, "connect sync");
  const std::int64_t edge = policy("edge", policy_with_feed());
  ASSERT_TRUE(policies_->set_assignments(admin_, edge, {to_group("edge")}, client_));
  created("bad");
  fetcher_->serve(kFeedUrl, std::string("198.51.100.0/24\n"));
  ASSERT_TRUE(refreshed().ok);
  EXPECT_THAT(preview(edge), HasSubstr("198.51.100.0/24"));
  ASSERT_TRUE(feeds_->start());
  eventually([&] { return applies_to(edge_agent).size() == 1; }, "the re-apply");

  FeedChange off;
  off.enabled = false;
  auto disabled = feeds_->update(admin_, "bad", off, client_).feed;
  ASSERT_TRUE(disabled) << disabled.error().message;
  EXPECT_FALSE(disabled->definition.enabled);
  EXPECT_THAT(contents_of("bad"), ElementsAre("<absent>"));
  EXPECT_THAT(preview(edge), Not(HasSubstr("198.51.100.0/24")));
  eventually([&] { return applies_to(edge_agent).size() == 2; }, "the re-apply without it");
  EXPECT_THAT(applies_to(edge_agent).at(1), Not(HasSubstr("198.51.100.0/24")));

  const FeedWrite bad = feeds_->update(
      admin_, "bad", FeedChange{.source = "ftp://x/y", .refresh_s = 1, .description = "a\nb"},
      client_);
  ASSERT_FALSE(bad.feed);
  EXPECT_EQ(bad.feed.error().field, "source");
  ASSERT_EQ(bad.problems.size(), 3u) << bad.feed.error().message;
  EXPECT_EQ(bad.problems[1].path, "refresh_s");
  EXPECT_EQ(bad.problems[2].path, "description");
  EXPECT_EQ(feeds_->update(admin_, "gone", off, client_).feed.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(audit_actors("firewall.feed.update"), ElementsAre("admin"));
}

TEST_P(FeedServiceTest, ARulesetTooLargeForOneChannelFrameIsNotSent) {
  const std::string edge_agent = agent("edge-1", "edge");
  eventually([&] { return channel_.calls("firewall_status").size() == 1; }, "connect sync");
  // 200,000 IPv6 addresses that do not merge into ranges: more than one 4 MiB frame of nft
  // text.
  FakeFetcher* fetcher = nullptr;
  auto database = open_database();
  ASSERT_TRUE(database);
  FeedServiceOptions options;
  options.file_root = dir_.path() / "feeds";
  options.max_entries = 250'000;
  auto owned = std::make_unique<FakeFetcher>();
  fetcher = owned.get();
  auto large =
      FeedService::create(FeedDependencies{*database, *audit_, clock_, *registry_, *allow_list_,
                                           std::move(owned), [this] { return policies_.get(); }},
                          options);
  ASSERT_TRUE(large) << large.error().message;
  feeds_ = std::move(*large);
  std::string text;
  for (int i = 0; i < 200'000; ++i)
    text += fmt::format("2001:db8:{:x}:{:x}::1\n", i >> 16, i & 0xffff);
  fetcher->serve(kFeedUrl, text);
  created("bad");
  ASSERT_TRUE(refreshed().ok);
  const std::int64_t edge = policy("edge", policy_with_feed());
  ASSERT_TRUE(policies_->set_assignments(admin_, edge, {to_group("edge")}, client_));
  ApplyRequest request;
  request.agent_ids = {edge_agent};
  auto results = policies_->apply(admin_, request, client_);
  ASSERT_TRUE(results) << results.error().message;
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ(results->front().outcome, ApplyOutcome::kFailed);
  EXPECT_THAT(results->front().error, HasSubstr("one channel frame takes"));
  EXPECT_TRUE(applies_to(edge_agent).empty()) << "nothing that would close the connection";
}

INSTANTIATE_TEST_SUITE_P(Backends, FeedServiceTest, ::testing::ValuesIn(sentinel::test::kBackends),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::firewall::policy_test
