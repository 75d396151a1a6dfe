// InventoryService::apply on a real migrated database (SQLite and PostgreSQL): baselines, diffs,
// derived events, parts, queries, and refusal of malformed agent data without partial writes.

#include "sentinel/inventory/inventory_service.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tests/support/test_database.h"

namespace sentinel::inventory {
namespace {

constexpr std::int64_t kStartMs = 1767225600000;  // 2026-01-01T00:00:00Z
const std::string kAgent = "agt_aaaaaaaaaaaaaaaaaaaaaaaaaa";

boost::json::object package(std::string name, std::string version, std::string source = "dpkg",
                            std::string arch = "amd64") {
  return {{"name", std::move(name)},
          {"version", std::move(version)},
          {"arch", std::move(arch)},
          {"source", std::move(source)}};
}

boost::json::object port(std::string address, std::int64_t number,
                         std::optional<std::string> process = std::nullopt) {
  return {{"protocol", "tcp"},
          {"address", std::move(address)},
          {"port", number},
          {"pid", process ? boost::json::value(100) : nullptr},
          {"process", process ? boost::json::value(*process) : nullptr},
          {"uid", 0},
          {"user", "root"}};
}

boost::json::object user(std::string name, std::int64_t uid) {
  return {{"name", std::move(name)},
          {"uid", uid},
          {"gid", uid},
          {"home", "/home"},
          {"shell", "/bin/sh"}};
}

boost::json::object group(std::string name, std::vector<std::string> members) {
  boost::json::array list;
  for (auto& member : members) list.emplace_back(member);
  return {{"name", std::move(name)}, {"gid", 27}, {"members", std::move(list)}};
}

protocol::Event snapshot(std::string_view section, boost::json::array items, std::int64_t part = 1,
                         std::int64_t parts = 1) {
  return {1,
          kStartMs,
          "inventory.snapshot",
          {{"section", section}, {"items", std::move(items)}, {"part", part}, {"parts", parts}}};
}

protocol::Event delta(std::string_view section, boost::json::array added,
                      boost::json::array removed = {}, boost::json::array changed = {}) {
  return {2,
          kStartMs + 60000,
          "inventory.delta",
          {{"section", section},
           {"added", std::move(added)},
           {"removed", std::move(removed)},
           {"changed", std::move(changed)}}};
}

std::vector<std::string> types_of(const std::vector<DerivedEvent>& events) {
  std::vector<std::string> types;
  for (const auto& event : events) types.push_back(event.type);
  return types;
}

class InventoryServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto db = test::open_test_database(GetParam(), dir_);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    service_ = InventoryService::create(*db_, clock_);
  }

  /// apply() inside a transaction, as ingest calls it; the derived events of a committed apply.
  Result<std::vector<DerivedEvent>> apply(const protocol::Event& event,
                                          const std::string& agent = kAgent) {
    std::vector<DerivedEvent> derived;
    Status status = db_->transact([&](store::Connection& tx) {
      derived.clear();
      return service_->apply(tx, agent, event, derived);
    });
    if (!status) return std::move(status).error();
    return derived;
  }

  void apply_ok(const protocol::Event& event, const std::string& agent = kAgent) {
    auto result = apply(event, agent);
    ASSERT_TRUE(result) << result.error().message;
  }

  std::vector<std::string> package_versions(const std::string& agent = kAgent) {
    auto packages = service_->packages(agent);
    EXPECT_TRUE(packages) << packages.error().message;
    std::vector<std::string> out;
    if (packages) {
      for (const auto& p : *packages) out.push_back(p.name + "=" + p.version);
    }
    return out;
  }

  std::size_t change_count() {
    auto changes = service_->changes({kAgent, std::nullopt, 1000, std::nullopt});
    EXPECT_TRUE(changes) << changes.error().message;
    return changes ? changes->size() : 0;
  }

  test::TempDir dir_{"sentinel-inventory"};
  ManualClock clock_{kStartMs + 3600000};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<InventoryService> service_;
};

TEST_P(InventoryServiceTest, FirstSnapshotIsASilentBaseline) {
  auto derived =
      apply(snapshot("packages", {package("curl", "7.88.1-10"), package("bash", "5.2-1")}));
  ASSERT_TRUE(derived) << derived.error().message;
  EXPECT_TRUE(derived->empty());
  EXPECT_EQ(change_count(), 0u);
  EXPECT_EQ(package_versions(), (std::vector<std::string>{"bash=5.2-1", "curl=7.88.1-10"}));
}

TEST_P(InventoryServiceTest, LaterSnapshotIsDiffedIntoChangesAndEvents) {
  apply_ok(
      snapshot("packages", {package("bash", "5.2-1"), package("curl", "7.88.1-10+deb12u5"),
                            package("libfoo", "2.0-1"), package("zlib1g", "1:1.2.13.dfsg-1")}));
  auto derived =
      apply(snapshot("packages", {package("bash", "5.2-1"), package("curl", "7.88.1-10+deb12u12"),
                                  package("libfoo", "2.0~rc1-1"), package("vim", "2:9.0.1378-2")}));
  ASSERT_TRUE(derived) << derived.error().message;
  // Changes in key order: curl upgraded (deb12u5 -> deb12u12 is numeric), libfoo downgraded
  // ('~' sorts first), vim installed, zlib1g removed.
  EXPECT_EQ(types_of(*derived), (std::vector<std::string>{"package.upgraded", "package.downgraded",
                                                          "package.installed", "package.removed"}));
  EXPECT_EQ(
      boost::json::serialize((*derived)[0].data),
      R"({"name":"curl","arch":"amd64","source":"dpkg","from":"7.88.1-10+deb12u5","to":"7.88.1-10+deb12u12"})");
  EXPECT_EQ((*derived)[2].data.at("version").as_string(), "2:9.0.1378-2");
  EXPECT_EQ((*derived)[3].data.at("name").as_string(), "zlib1g");

  auto changes = service_->changes({kAgent, std::nullopt, 100, std::nullopt});
  ASSERT_TRUE(changes);
  ASSERT_EQ(changes->size(), 4u);
  EXPECT_EQ(changes->front().key, "zlib1g:amd64");  // newest first
  EXPECT_EQ(changes->front().kind, "removed");
  EXPECT_FALSE(changes->front().after);
  EXPECT_EQ(changes->back().kind, "changed");
  EXPECT_EQ(changes->back().before->at("version").as_string(), "7.88.1-10+deb12u5");
  EXPECT_EQ(changes->back().after->at("version").as_string(), "7.88.1-10+deb12u12");
  EXPECT_EQ(changes->back().time_ms, kStartMs);  // the agent's time of the event
  EXPECT_EQ(package_versions(), (std::vector<std::string>{"bash=5.2-1", "curl=7.88.1-10+deb12u12",
                                                          "libfoo=2.0~rc1-1", "vim=2:9.0.1378-2"}));
}

TEST_P(InventoryServiceTest, DeltaOpensAPortAndCreatesAUser) {
  apply_ok(snapshot("listening", {port("0.0.0.0", 22, "sshd")}));
  apply_ok(snapshot("users", {user("root", 0)}));

  auto opened = apply(delta("listening", {port("::", 8080, "python3")}));
  ASSERT_TRUE(opened) << opened.error().message;
  ASSERT_EQ(types_of(*opened), std::vector<std::string>{"port.opened"});
  EXPECT_EQ(opened->front().data.at("port").as_int64(), 8080);
  EXPECT_EQ(opened->front().data.at("process").as_string(), "python3");

  auto created = apply(delta("users", {user("mallory", 0)}));
  ASSERT_TRUE(created) << created.error().message;
  ASSERT_EQ(types_of(*created), std::vector<std::string>{"user.created"});
  EXPECT_EQ(created->front().data.at("name").as_string(), "mallory");

  auto ports = service_->find_ports(8080, std::nullopt);
  ASSERT_TRUE(ports);
  ASSERT_EQ(ports->size(), 1u);
  EXPECT_EQ(ports->front().agent_id, kAgent);
  EXPECT_EQ(ports->front().address, "::");
  EXPECT_EQ(ports->front().process, "python3");
  EXPECT_TRUE(service_->find_ports(8080, std::string("udp"))->empty());

  auto closed = apply(delta("listening", {}, {port("::", 8080, "python3")}));
  ASSERT_TRUE(closed);
  EXPECT_EQ(types_of(*closed), std::vector<std::string>{"port.closed"});
  EXPECT_TRUE(service_->find_ports(8080, std::nullopt)->empty());
}

TEST_P(InventoryServiceTest, DeltaUsesTheServersOwnStateAsBefore) {
  apply_ok(snapshot("packages", {package("bash", "5.2-1")}));
  // Re-adding what is known changes nothing; "changed" of an unknown item is an install.
  auto same = apply(delta("packages", {package("bash", "5.2-1")}));
  ASSERT_TRUE(same);
  EXPECT_TRUE(same->empty());
  auto installed = apply(delta("packages", {}, {},
                               {boost::json::object{{"before", package("git", "1:2.38-1")},
                                                    {"after", package("git", "1:2.39-1")}}}));
  ASSERT_TRUE(installed) << installed.error().message;
  EXPECT_EQ(types_of(*installed), std::vector<std::string>{"package.installed"});
  EXPECT_EQ(change_count(), 1u);
}

TEST_P(InventoryServiceTest, GroupMembershipChangeNamesTheMembers) {
  apply_ok(snapshot("groups", {group("sudo", {"alice"})}));
  auto changed = apply(delta("groups", {}, {},
                             {boost::json::object{{"before", group("sudo", {"alice"})},
                                                  {"after", group("sudo", {"alice", "eve"})}}}));
  ASSERT_TRUE(changed) << changed.error().message;
  ASSERT_EQ(types_of(*changed), std::vector<std::string>{"group.changed"});
  EXPECT_EQ(boost::json::serialize(changed->front().data.at("added_members")), R"(["eve"])");
  EXPECT_EQ(changed->front().data.at("change").as_string(), "modified");
}

TEST_P(InventoryServiceTest, MalformedDataIsRefusedAndNothingIsWritten) {
  apply_ok(snapshot("packages", {package("bash", "5.2-1")}));
  struct Case {
    protocol::Event event;
    std::string field;
  };
  boost::json::object no_arch = package("evil", "1");
  no_arch.erase("arch");
  auto nul_name = package(std::string("a\0b", 3), "1");
  std::vector<Case> cases = {
      // A valid addition followed by an invalid removal: the addition must not stay.
      {delta("packages", {package("vim", "9.0-1")}, {no_arch}), "removed[0].arch"},
      {delta("kernel_modules", {}), "section"},
      {delta("packages", {package("vim", "9.0-1")}, {package("vim", "9.0-1")}), "removed"},
      {snapshot("packages", {package("a", "1"), package("a", "2")}), "items[1]"},
      {snapshot("packages", {package("a", "1")}, 3, 2), "part"},
      {snapshot("packages", {nul_name}), "items[0].name"},
      {snapshot("listening", {port("0.0.0.0", 65536)}), "items[0].port"},
      {{3,
        kStartMs,
        "inventory.snapshot",
        {{"section", "packages"}, {"items", "all"}, {"part", 1}, {"parts", 1}}},
       "items"},
      {{3, kStartMs, "inventory.snapshot", {{"section", "packages"}, {"part", 1}, {"parts", 1}}},
       "items"},
      {{3,
        kStartMs,
        "inventory.delta",
        {{"section", "packages"},
         {"added", boost::json::array()},
         {"removed", boost::json::array()},
         {"changed", boost::json::array()},
         {"extra", 1}}},
       "extra"},
      {{3, kStartMs, "inventory.gossip", {}}, "type"},
  };
  for (const Case& bad : cases) {
    auto result = apply(bad.event);
    ASSERT_FALSE(result) << boost::json::serialize(bad.event.data);
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument) << result.error().message;
    EXPECT_EQ(result.error().field, bad.field) << result.error().message;
  }
  EXPECT_EQ(package_versions(), std::vector<std::string>{"bash=5.2-1"});
  EXPECT_EQ(change_count(), 0u);
}

TEST_P(InventoryServiceTest, MultiPartSnapshotAppliesWhenComplete) {
  apply_ok(snapshot("packages", {package("bash", "5.2-1"), package("old", "1.0-1")}));

  apply_ok(snapshot("packages", {package("bash", "5.2-2")}, 1, 3));
  apply_ok(snapshot("packages", {package("curl", "8.0-1")}, 2, 3));
  // Half a snapshot is invisible: queries still see the previous state.
  EXPECT_EQ(package_versions(), (std::vector<std::string>{"bash=5.2-1", "old=1.0-1"}));
  EXPECT_EQ(change_count(), 0u);

  auto last = apply(snapshot("packages", {package("vim", "9.0-1")}, 3, 3));
  ASSERT_TRUE(last) << last.error().message;
  EXPECT_EQ(types_of(*last), (std::vector<std::string>{"package.upgraded", "package.installed",
                                                       "package.removed", "package.installed"}));
  EXPECT_EQ(package_versions(),
            (std::vector<std::string>{"bash=5.2-2", "curl=8.0-1", "vim=9.0-1"}));
}

TEST_P(InventoryServiceTest, PartsOutOfOrderOrRepeatedAreRefused) {
  auto orphan = apply(snapshot("packages", {package("a", "1")}, 2, 3));
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().field, "part");
  EXPECT_NE(orphan.error().message.find("without part 1"), std::string::npos);

  apply_ok(snapshot("packages", {package("a", "1")}, 1, 3));
  auto skipped = apply(snapshot("packages", {package("b", "1")}, 3, 3));
  ASSERT_FALSE(skipped);
  EXPECT_EQ(skipped.error().field, "part");
  auto repeated = apply(snapshot("packages", {package("a", "1")}, 2, 3));
  ASSERT_FALSE(repeated);
  EXPECT_EQ(repeated.error().field, "items");
  // A new part 1 starts over; the first complete snapshot is still the silent baseline.
  apply_ok(snapshot("packages", {package("c", "1")}, 1, 2));
  auto done = apply(snapshot("packages", {package("d", "1")}, 2, 2));
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_TRUE(done->empty());
  EXPECT_EQ(package_versions(), (std::vector<std::string>{"c=1", "d=1"}));
}

TEST_P(InventoryServiceTest, FindPackagesBelowUsesEachSourcesOrder) {
  apply_ok(snapshot("packages", {package("openssl", "3.0.11-1~deb12u2")}), "agt_aaaa");
  apply_ok(snapshot("packages", {package("openssl", "3.0.13-1~deb12u1")}), "agt_bbbb");
  apply_ok(snapshot("packages", {package("openssl", "1:3.0.7-24.el9", "rpm", "x86_64")}),
           "agt_cccc");
  apply_ok(snapshot("packages", {package("openssl", "3.0.7-24.el9", "rpm", "x86_64")}), "agt_dddd");

  auto all = service_->find_packages("openssl", std::nullopt);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 4u);
  auto below = service_->find_packages("openssl", std::string("3.0.13-1~deb12u1"));
  ASSERT_TRUE(below);
  std::vector<std::string> agents;
  for (const auto& found : *below) agents.push_back(found.agent_id);
  // agt_cccc's epoch 1 puts it above; agt_dddd (rpm, no epoch) is below.
  EXPECT_EQ(agents, (std::vector<std::string>{"agt_aaaa", "agt_dddd"}));
  EXPECT_TRUE(service_->find_packages("no-such-package", std::nullopt)->empty());
}

TEST_P(InventoryServiceTest, SectionItemsAndForgetAgent) {
  apply_ok(snapshot("users", {user("root", 0), user("alice", 1000)}));
  apply_ok(snapshot("packages", {package("bash", "5.2-1")}));
  apply_ok(snapshot("packages", {package("bash", "5.2-2")}));
  auto items = service_->section_items(kAgent, "users");
  ASSERT_TRUE(items);
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ(items->at(0).at("name").as_string(), "alice");  // key order
  EXPECT_FALSE(service_->section_items(kAgent, "bogus"));

  ASSERT_TRUE(
      db_->transact([&](store::Connection& tx) { return service_->forget_agent(tx, kAgent); }));
  EXPECT_TRUE(service_->section_items(kAgent, "users")->empty());
  EXPECT_TRUE(package_versions().empty());
  EXPECT_EQ(change_count(), 0u);
  // After forgetting, the next snapshot is a baseline again.
  auto again = apply(snapshot("packages", {package("bash", "5.2-3")}));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
}

TEST_P(InventoryServiceTest, SectionItemsOfManyAgentsAreEachAgentsOwn) {
  apply_ok(snapshot("users", {user("root", 0), user("alice", 1000)}), "agt_aaaa");
  apply_ok(snapshot("users", {user("bob", 1001)}), "agt_bbbb");
  apply_ok(snapshot("packages", {package("bash", "5.2-1")}), "agt_cccc");

  auto by_agent =
      service_->section_items_of({"agt_aaaa", "agt_bbbb", "agt_cccc", "agt_none"}, "users");
  ASSERT_TRUE(by_agent) << by_agent.error().message;
  // Only the agents with users, each with its own, in key order: as section_items() has them.
  ASSERT_EQ(by_agent->size(), 2u);
  EXPECT_EQ(by_agent->at("agt_aaaa"), *service_->section_items("agt_aaaa", "users"));
  ASSERT_EQ(by_agent->at("agt_aaaa").size(), 2u);
  EXPECT_EQ(by_agent->at("agt_aaaa").at(0).at("name").as_string(), "alice");
  ASSERT_EQ(by_agent->at("agt_bbbb").size(), 1u);
  EXPECT_EQ(by_agent->at("agt_bbbb").at(0).at("name").as_string(), "bob");
  EXPECT_TRUE(service_->section_items_of({}, "users")->empty());
  EXPECT_FALSE(service_->section_items_of({"agt_aaaa"}, "bogus"));
}

INSTANTIATE_TEST_SUITE_P(Backends, InventoryServiceTest, ::testing::ValuesIn(test::kBackends));

}  // namespace
}  // namespace sentinel::inventory
