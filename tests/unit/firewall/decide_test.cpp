// decide(): what a compiled chain does with a packet — the fixed prologue, first match wins,
// log rules let packets go on, unknown fields make rules uncertain.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sentinel/firewall/ruleset.h"
#include "tests/unit/firewall/policy_test_support.h"

namespace sentinel::firewall {
namespace {

using test::parse_valid;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char* kPolicy = R"({
  "objects": {"address_sets": {"lan": {"addresses": ["192.168.1.0/24", "fd00::/8"]},
                               "bad": {"feed": "bad"}},
              "services": {"ping": {"icmp": [8], "icmpv6": [128]}}},
  "chains": {"input": {"policy": "drop", "rules": [
    {"id": "drop-bad", "source": "bad", "action": "drop"},
    {"id": "off", "enabled": false, "action": "accept"},
    {"id": "log-ssh", "protocol": "tcp", "ports": 22, "action": "log", "log": {"rate": "1/second"}},
    {"id": "ssh-lan", "source": "lan", "protocol": "tcp", "ports": 22, "in_interface": "eth*", "action": "accept"},
    {"id": "ping", "service": "ping", "action": "accept"},
    {"id": "not-lan-web", "source": {"not": "lan"}, "protocol": "tcp", "ports": [80, 443], "action": "reject"},
    {"id": "web", "protocol": "tcp", "ports": [80, 443], "action": "accept"}
  ]}}})";

class FirewallDecide : public ::testing::Test {
 protected:
  FirewallDecide() {
    FeedContents feeds;
    feeds["bad"] = {*parse_ip_network("203.0.113.0/24")};
    ruleset_ = resolve_policy(parse_valid(kPolicy), feeds);
  }

  Decision input(const Packet& packet) const {
    return decide(ruleset_.chain(ChainKind::kInput), packet);
  }

  static Packet tcp(std::string_view from, std::uint16_t port, std::string_view iface = "eth0") {
    Packet packet;
    packet.source = *parse_ip_address(from);
    packet.family = packet.source->family;
    packet.destination_port = port;
    packet.in_interface = std::string(iface);
    return packet;
  }

  Ruleset ruleset_;
};

TEST_F(FirewallDecide, FirstMatchingRuleDecidesAndLogRulesLetPacketsGoOn) {
  const Decision decision = input(tcp("192.168.1.20", 22));
  EXPECT_EQ(decision.action, RuleAction::kAccept);
  EXPECT_EQ(decision.rule, "ssh-lan");
  EXPECT_EQ(decision.rule_index, 3u);
  EXPECT_THAT(decision.logged, ElementsAre("log-ssh"));
  EXPECT_THAT(decision.uncertain, IsEmpty());
}

TEST_F(FirewallDecide, FallsThroughToTheDefaultPolicy) {
  const Decision decision = input(tcp("192.168.1.20", 22, "wlan0"));  // ssh-lan wants eth*
  EXPECT_EQ(decision.action, RuleAction::kDrop);
  EXPECT_EQ(decision.rule, "default");
  EXPECT_FALSE(decision.rule_index);
}

TEST_F(FirewallDecide, FeedsAndNegationsDecideByAddress) {
  EXPECT_EQ(input(tcp("203.0.113.9", 80)).rule, "drop-bad");
  const Decision outsider = input(tcp("198.51.100.1", 443));
  EXPECT_EQ(outsider.rule, "not-lan-web");
  EXPECT_EQ(outsider.action, RuleAction::kReject);
  EXPECT_EQ(input(tcp("fd00::5", 443)).rule, "web");
  EXPECT_EQ(input(tcp("2001:db8::5", 443)).rule, "not-lan-web");
}

TEST_F(FirewallDecide, IcmpTypesBelongToTheirFamily) {
  Packet ping;
  ping.family = IpFamily::kV6;
  ping.protocol = Protocol::kIcmpv6;
  ping.icmp_type = 128;
  EXPECT_EQ(input(ping).rule, "ping");
  ping.icmp_type = 8;  // echo request is 8 only in ICMP for IPv4
  EXPECT_EQ(input(ping).rule, "default");
  ping.family = IpFamily::kV4;
  ping.protocol = Protocol::kIcmp;
  EXPECT_EQ(input(ping).rule, "ping");
}

TEST_F(FirewallDecide, TheFixedPrologueComesFirst) {
  Packet packet = tcp("203.0.113.9", 22);
  packet.source_blocked = true;
  EXPECT_EQ(input(packet).rule, "blocked");
  packet.source_blocked = false;
  packet.state = ConnectionState::kEstablished;
  EXPECT_EQ(input(packet).rule, "established");
  EXPECT_EQ(input(packet).action, RuleAction::kAccept);
  packet.state = ConnectionState::kInvalid;
  EXPECT_EQ(input(packet).action, RuleAction::kDrop);
  packet.state = ConnectionState::kNew;
  packet.in_interface = "lo";
  EXPECT_EQ(input(packet).rule, "loopback");
  // Output has no block rule: blocks are about who sends to us.
  Packet out;
  out.source_blocked = true;
  out.out_interface = "eth0";
  EXPECT_EQ(decide(ruleset_.chain(ChainKind::kOutput), out).rule, "default");
}

TEST_F(FirewallDecide, NeighbourDiscoveryIsAcceptedBeforeAnyRule) {
  Packet solicit;
  solicit.family = IpFamily::kV6;
  solicit.protocol = Protocol::kIcmpv6;
  solicit.icmp_type = 135;
  solicit.in_interface = "eth0";
  EXPECT_EQ(input(solicit).rule, "neighbor-discovery");
  EXPECT_EQ(decide(ruleset_.chain(ChainKind::kForward), solicit).rule, "default");
  solicit.icmp_type = 137;  // redirects are not neighbour discovery
  EXPECT_EQ(input(solicit).rule, "default");
}

TEST_F(FirewallDecide, UnknownFieldsMakeRulesUncertain) {
  Packet packet;
  packet.destination_port = 22;  // source and interface unknown
  const Decision decision = input(packet);
  EXPECT_EQ(decision.rule, "default");
  std::vector<std::string> uncertain;
  for (const UncertainMatch& m : decision.uncertain) uncertain.push_back(m.rule_id);
  EXPECT_THAT(uncertain, ElementsAre("loopback", "drop-bad", "ssh-lan"));
  EXPECT_THAT(decision.logged, ElementsAre("log-ssh"));
}

}  // namespace
}  // namespace sentinel::firewall
