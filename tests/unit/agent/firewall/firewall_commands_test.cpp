// The firewall commands as the server sees them, over the commit-confirm state and a fake
// table: the results the ADR fixes, errors that say what is wrong, blocks whose timeouts are
// what the last command said, and rollbacks and drift turned into the events the server reads.

#include "agent/firewall/firewall_commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "sentinel/common/clock.h"
#include "sentinel/common/crypto.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/agent/firewall/fake_firewall_table.h"

namespace sentinel::agent::firewall {
namespace {

using test::FakeTable;
using ::testing::HasSubstr;
namespace json = boost::json;

std::string policy_text(int version) {
  return "table inet sentinel {}\ndelete table inet sentinel\ntable inet sentinel {\n# v" +
         std::to_string(version) + "\n}\n";
}

json::object apply_args(int version, int grace_s = 60, json::array blocks = {}) {
  return json::object{{"policy_id", "p1"},
                      {"version", version},
                      {"document_hash", crypto::sha256_hex("document " + std::to_string(version))},
                      {"nft", policy_text(version)},
                      {"grace_s", grace_s},
                      {"blocks", std::move(blocks)}};
}

class FirewallCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto state = FirewallState::create(table_, clock_, dir_.path().string());
    ASSERT_TRUE(state) << state.error().message;
    state_ = std::move(*state);
    commands_ = std::make_unique<FirewallCommands>(*state_, table_);
  }

  json::object run_ok(std::string_view name, const json::object& args) {
    auto result = commands_->run(name, args);
    EXPECT_TRUE(result) << name << ": " << result.error().message;
    return result ? *result : json::object{};
  }

  sentinel::test::TempDir dir_{"fw-commands"};
  ManualClock clock_{5'000'000};
  FakeTable table_;
  std::unique_ptr<FirewallState> state_;
  std::unique_ptr<FirewallCommands> commands_;
};

TEST_F(FirewallCommandsTest, ApplyConfirmAndStatusAnswerAsTheAdrSays) {
  const json::object before = run_ok("firewall_status", {});
  EXPECT_EQ(json::serialize(before),
            R"({"confirmed_version":null,"pending_version":null,"listing_hash":"","sets":{},)"
            R"("blocks":[]})");

  const json::object applied = run_ok("firewall_apply", apply_args(1));
  EXPECT_EQ(applied.at("version").as_int64(), 1);
  EXPECT_EQ(applied.at("document_hash").as_string(), crypto::sha256_hex("document 1"));
  EXPECT_EQ(applied.at("listing_hash").as_string(), crypto::sha256_hex(policy_text(1)));
  EXPECT_EQ(json::serialize(applied.at("sets")), R"({"addr_x_v4":3})");
  EXPECT_EQ(applied.at("blocks_kept").as_int64(), 0);
  EXPECT_EQ(*table_.ruleset, policy_text(1));

  const json::object pending = run_ok("firewall_status", {});
  EXPECT_TRUE(pending.at("confirmed_version").is_null());
  EXPECT_EQ(pending.at("pending_version").as_int64(), 1);
  EXPECT_EQ(pending.at("listing_hash"), applied.at("listing_hash"));

  auto stale = commands_->run("firewall_confirm", json::object{{"version", 2}});
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_EQ(run_ok("firewall_confirm", json::object{{"version", 1}}).at("confirmed_version"), 1);
  const json::object confirmed = run_ok("firewall_status", {});
  EXPECT_EQ(confirmed.at("confirmed_version").as_int64(), 1);
  EXPECT_TRUE(confirmed.at("pending_version").is_null());
}

TEST_F(FirewallCommandsTest, AFailedApplyLeavesThePreviousRulesetAndSaysWhy) {
  run_ok("firewall_apply", apply_args(1));
  run_ok("firewall_confirm", json::object{{"version", 1}});
  table_.fail_next = true;
  auto failed = commands_->run("firewall_apply", apply_args(2));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "Error: syntax error");
  EXPECT_EQ(*table_.ruleset, policy_text(1));

  auto invalid = commands_->run("firewall_apply", json::object{{"version", 2}});
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(*table_.ruleset, policy_text(1)) << "refused before it reached the table";
  const json::object status = run_ok("firewall_status", {});
  EXPECT_EQ(status.at("confirmed_version").as_int64(), 1);
  EXPECT_TRUE(status.at("pending_version").is_null());
}

TEST_F(FirewallCommandsTest, BlocksTakeTheLastDurationAndUnblockCountsWhatWasThere) {
  auto early = commands_->run(
      "firewall_block", json::object{{"addresses", json::array{"192.0.2.1"}}, {"duration_s", 60}});
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, ErrorCode::kConflict);
  EXPECT_THAT(early.error().message, HasSubstr("no firewall policy is applied"));
  EXPECT_EQ(run_ok("firewall_unblock", json::object{{"addresses", json::array{"192.0.2.1"}}})
                .at("removed"),
            0);

  run_ok("firewall_apply",
         apply_args(1, 60,
                    json::array{json::object{{"address", "198.51.100.9"}, {"remaining_s", 300}}}));
  ASSERT_TRUE(table_.block("198.51.100.9"));
  EXPECT_EQ(table_.block("198.51.100.9")->timeout_s, 300);

  const json::object added = run_ok(
      "firewall_block",
      json::object{{"addresses", json::array{"192.0.2.1", "2001:db8::1"}}, {"duration_s", 60}});
  EXPECT_EQ(added.at("added").as_int64(), 2);
  ASSERT_TRUE(table_.block("192.0.2.1"));
  EXPECT_EQ(table_.block("192.0.2.1")->timeout_s, 60);
  ASSERT_TRUE(table_.block("2001:db8::1"));
  // A repeat offender: the new, longer block replaces the old one in the same transaction.
  const std::size_t applies = table_.applied.size();
  run_ok("firewall_block",
         json::object{{"addresses", json::array{"192.0.2.1"}}, {"duration_s", 3600}});
  EXPECT_EQ(table_.applied.size(), applies + 1);
  EXPECT_EQ(table_.block("192.0.2.1")->timeout_s, 3600);

  const json::object status = run_ok("firewall_status", {});
  EXPECT_EQ(status.at("blocks").as_array().size(), 3u);

  const json::object removed = run_ok(
      "firewall_unblock", json::object{{"addresses", json::array{"192.0.2.1", "203.0.113.5"}}});
  EXPECT_EQ(removed.at("removed").as_int64(), 1) << "203.0.113.5 was never blocked";
  EXPECT_FALSE(table_.block("192.0.2.1"));
  EXPECT_FALSE(table_.block("203.0.113.5"));
  EXPECT_TRUE(table_.block("2001:db8::1"));

  // The next policy carries the blocks over.
  const json::object next = run_ok("firewall_apply", apply_args(2));
  EXPECT_EQ(next.at("blocks_kept").as_int64(), 2);
  EXPECT_TRUE(table_.block("2001:db8::1"));
}

TEST_F(FirewallCommandsTest, NoBlockEverCoversTheServerThisAgentReportsTo) {
  run_ok("firewall_apply", apply_args(1));
  run_ok("firewall_block",
         json::object{{"addresses", json::array{"192.0.2.1"}}, {"duration_s", 600}});
  // The channel connected to 192.0.2.1 (as a dual-stack socket spells it) and the server's
  // name also resolved to 2001:db8::5: the older block of 192.0.2.1 is lifted.
  auto set = commands_->set_server_addresses(
      json::object{{"addresses", json::array{"::ffff:192.0.2.1", "2001:db8::5", "192.0.2.1"}}});
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(json::serialize(set->at("addresses")), R"(["192.0.2.1","2001:db8::5"])");
  EXPECT_EQ(json::serialize(set->at("unblocked")), R"(["192.0.2.1"])");
  EXPECT_FALSE(table_.block("192.0.2.1"));

  const json::object blocked =
      run_ok("firewall_block",
             json::object{{"addresses", json::array{"192.0.2.1", "198.51.100.7", "2001:DB8::5"}},
                          {"duration_s", 60}});
  EXPECT_EQ(blocked.at("added").as_int64(), 1);
  EXPECT_EQ(json::serialize(blocked.at("left_out")),
            R"j([{"address":"192.0.2.1","reason":"the server this agent reports to (192.0.2.1)"},)j"
            R"j({"address":"2001:db8::5","reason":"the server this agent reports to )j"
            R"j((2001:db8::5)"}])j");
  EXPECT_TRUE(table_.block("198.51.100.7"));
  EXPECT_FALSE(table_.block("192.0.2.1"));
  EXPECT_FALSE(table_.block("2001:db8::5"));

  // Nothing left to block: the table is not touched, and the answer says why.
  const std::size_t applies = table_.applied.size();
  const json::object none = run_ok(
      "firewall_block", json::object{{"addresses", json::array{"192.0.2.1"}}, {"duration_s", 60}});
  EXPECT_EQ(none.at("added").as_int64(), 0);
  EXPECT_EQ(none.at("left_out").as_array().size(), 1u);
  EXPECT_EQ(table_.applied.size(), applies);

  // The blocks a policy apply carries leave the server out the same way.
  const json::object applied = run_ok(
      "firewall_apply",
      apply_args(2, 60,
                 json::array{json::object{{"address", "192.0.2.1"}, {"remaining_s", 300}},
                             json::object{{"address", "198.51.100.9"}, {"remaining_s", 300}}}));
  EXPECT_EQ(
      json::serialize(applied.at("left_out")),
      R"j([{"address":"192.0.2.1","reason":"the server this agent reports to (192.0.2.1)"}])j");
  EXPECT_TRUE(table_.block("198.51.100.9"));
  EXPECT_TRUE(table_.block("198.51.100.7")) << "carried over";
  EXPECT_FALSE(table_.block("192.0.2.1"));

  // Only the agent says where its server is: the channel cannot send this request.
  EXPECT_FALSE(commands_->run("server_addresses", json::object{{"addresses", json::array{}}}));
  auto bad =
      commands_->set_server_addresses(json::object{{"addresses", json::array{"server.example"}}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "addresses");
}

TEST_F(FirewallCommandsTest, RollbackAndDriftBecomeEvents) {
  run_ok("firewall_apply", apply_args(1));
  run_ok("firewall_confirm", json::object{{"version", 1}});
  run_ok("firewall_apply", apply_args(2, 10));
  EXPECT_TRUE(commands_->maintain(true).events.empty()) << "within the grace, as applied";

  clock_.advance_ms(10'000);
  Maintenance rolled = commands_->maintain(false);
  ASSERT_EQ(rolled.events.size(), 1u);
  EXPECT_TRUE(rolled.problems.empty());
  EXPECT_EQ(json::serialize(rolled.events[0].at("event.action")), R"("firewall.rolled_back")");
  EXPECT_EQ(rolled.events[0].at("event.module"), "firewall");
  EXPECT_EQ(rolled.events[0].at("event.category"), "configuration");
  EXPECT_EQ(rolled.events[0].at("firewall.version").as_int64(), 2);
  EXPECT_EQ(rolled.events[0].at("firewall.restored_version").as_int64(), 1);
  EXPECT_EQ(*table_.ruleset, policy_text(1));

  table_.ruleset.reset();  // nft delete table inet sentinel, by hand
  EXPECT_TRUE(commands_->maintain(false).events.empty()) << "drift is checked only when asked";
  Maintenance repaired = commands_->maintain(true);
  ASSERT_EQ(repaired.events.size(), 1u);
  const json::object& drift = repaired.events[0];
  EXPECT_EQ(drift.at("event.action"), "firewall.drift");
  EXPECT_EQ(drift.at("firewall.drift.kind"), "missing_table");
  EXPECT_EQ(drift.at("firewall.version").as_int64(), 1);
  EXPECT_EQ(drift.at("firewall.listing_hash.found"), "");
  EXPECT_EQ(drift.at("firewall.listing_hash.expected").as_string(),
            crypto::sha256_hex(policy_text(1)));
  EXPECT_EQ(*table_.ruleset, policy_text(1));

  table_.fail_next = true;
  table_.ruleset.reset();
  Maintenance failed = commands_->maintain(true);
  EXPECT_TRUE(failed.events.empty());
  ASSERT_EQ(failed.problems.size(), 1u);
  EXPECT_THAT(failed.problems[0], HasSubstr("drift check: Error: syntax error"));
}

TEST_F(FirewallCommandsTest, APendingApplyPastItsDeadlineAtStartIsRolledBackAndReported) {
  run_ok("firewall_apply", apply_args(4, 30));
  clock_.advance_ms(31'000);  // the agent was down meanwhile
  auto restarted = FirewallState::create(table_, clock_, dir_.path().string());
  ASSERT_TRUE(restarted);
  FirewallCommands commands(**restarted, table_);
  Maintenance recovered = commands.recover();
  ASSERT_EQ(recovered.events.size(), 1u);
  EXPECT_EQ(recovered.events[0].at("firewall.version").as_int64(), 4);
  EXPECT_FALSE(recovered.events[0].contains("firewall.restored_version"))
      << "nothing was confirmed: the table was deleted";
  EXPECT_FALSE(table_.ruleset);
}

TEST_F(FirewallCommandsTest, OnlyTheFiveCommandsAreKnown) {
  for (std::string_view name : kFirewallCommands) EXPECT_TRUE(is_firewall_command(name)) << name;
  EXPECT_FALSE(is_firewall_command("recover"));
  EXPECT_FALSE(is_firewall_command("firewall_flush"));
  auto unknown = commands_->run("firewall_flush", {});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "name");
}

}  // namespace
}  // namespace sentinel::agent::firewall
