// The agent's firewall events on the bus topic "event": flat or nested fields, numbers as
// numbers or text; other modules' events are not the firewall's.

#include <gtest/gtest.h>

#include "src/firewall/firewall_events.h"

namespace sentinel::firewall {
namespace {

std::string message(const std::string& data) {
  return R"({"type":"event","event":{"id":9,"agent_id":"agt_a","seq":3,"time":1000,)"
         R"("type":"firewall","data":)" +
         data + "}}";
}

TEST(AgentFirewallEventTest, DriftWithFlatFields) {
  const FirewallEvent event = parse_firewall_event(
      message(R"({"event.module":"firewall","event.action":"firewall.drift",)"
              R"("firewall.drift.kind":"rules_changed","firewall.version":"4",)"
              R"("firewall.listing_hash.found":"aa","firewall.listing_hash.expected":"bb"})"));
  const auto* drift = std::get_if<DriftEvent>(&event);
  ASSERT_NE(drift, nullptr);
  EXPECT_EQ(drift->agent_id, "agt_a");
  EXPECT_EQ(drift->time_ms, 1000);
  EXPECT_EQ(drift->kind, "rules_changed");
  EXPECT_EQ(drift->version, std::optional<std::int64_t>(4));
  EXPECT_EQ(drift->found_hash, "aa");
  EXPECT_EQ(drift->expected_hash, "bb");
}

TEST(AgentFirewallEventTest, RollbackWithNestedFields) {
  const FirewallEvent event = parse_firewall_event(
      message(R"({"event":{"module":"firewall","action":"firewall.rolled_back"},)"
              R"("firewall":{"version":5,"restored_version":4}})"));
  const auto* rollback = std::get_if<RollbackEvent>(&event);
  ASSERT_NE(rollback, nullptr);
  EXPECT_EQ(rollback->abandoned_version, std::optional<std::int64_t>(5));
  EXPECT_EQ(rollback->restored_version, std::optional<std::int64_t>(4));

  const FirewallEvent deleted = parse_firewall_event(
      message(R"({"event.action":"firewall.rolled_back","firewall.version":"5"})"));
  ASSERT_TRUE(std::holds_alternative<RollbackEvent>(deleted));
  EXPECT_FALSE(std::get<RollbackEvent>(deleted).restored_version) << "the table was deleted";
}

TEST(AgentFirewallEventTest, EverythingElseIsIgnored) {
  EXPECT_TRUE(std::holds_alternative<std::monostate>(
      parse_firewall_event(message(R"({"event.module":"fim","event.action":"firewall.drift"})"))));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(
      parse_firewall_event(message(R"({"event.action":"user_login"})"))));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(parse_firewall_event("not json")));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(parse_firewall_event(
      R"({"type":"event","event":{"agent_id":"","data":{"event.action":"firewall.drift"}}})")));
  // A version that is not a positive number is left out, not guessed.
  const FirewallEvent odd =
      parse_firewall_event(message(R"({"event.action":"firewall.drift","firewall.version":"-1"})"));
  ASSERT_TRUE(std::holds_alternative<DriftEvent>(odd));
  EXPECT_FALSE(std::get<DriftEvent>(odd).version);
}

}  // namespace
}  // namespace sentinel::firewall
