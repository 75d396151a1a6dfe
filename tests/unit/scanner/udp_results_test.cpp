// UDP in scan jobs, the pure parts: port specs with U: entries, the plan and its scope key, how
// results become stored ports (open|filtered only on hosts that answered), their wire form
// between agent and server, and the diff, which keys ports by protocol and counts open ones.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "sentinel/common/crypto.h"
#include "sentinel/scan/udp_scanner.h"
#include "sentinel/scanner/found_results.h"
#include "sentinel/scanner/scan_diff.h"
#include "sentinel/scanner/scan_shard_protocol.h"
#include "src/scanner/port_spec.h"
#include "src/scanner/scan_plan.h"

namespace sentinel::scanner {
namespace {

using scan::PortState;
using scan::Protocol;

scan::IpAddress ip(std::string_view text) { return *scan::IpAddress::parse(text); }

/// No names: these plans list addresses only.
class NoNames final : public scan::HostResolver {
 public:
  Result<std::vector<scan::IpAddress>> resolve(const std::string& name) override {
    return not_found("no such host " + name);
  }
};

// ---- port specs ---------------------------------------------------------------------------

TEST(UdpPortSpecTest, UEntriesAreUdpPortsAndTheRestTcp) {
  auto both = expand_port_spec("22,T:80,U:53,161-162");
  ASSERT_TRUE(both) << both.error().message;
  EXPECT_EQ(both->tcp, (std::vector<std::uint16_t>{22, 80}));
  EXPECT_EQ(both->udp, (std::vector<std::uint16_t>{53, 161, 162}));
  auto udp_only = expand_port_spec("U:53");
  ASSERT_TRUE(udp_only);
  EXPECT_TRUE(udp_only->tcp.empty());
  EXPECT_EQ(udp_only->udp, std::vector<std::uint16_t>{53});
  // Named selections stay TCP.
  auto top = expand_port_spec("top10");
  ASSERT_TRUE(top);
  EXPECT_EQ(top->tcp.size(), 10u);
  EXPECT_TRUE(top->udp.empty());
}

TEST(UdpPortSpecTest, TopEntriesRankThePortsOfTheirProtocolAndMixWithLists) {
  auto expected_udp = scan::top_ports(5, Protocol::kUdp);
  auto expected_tcp = scan::top_ports(10, Protocol::kTcp);
  ASSERT_TRUE(expected_udp && expected_tcp);
  auto both = expand_port_spec("top10,U:top5");
  ASSERT_TRUE(both) << both.error().message;
  EXPECT_EQ(both->tcp, expected_tcp->tcp);
  EXPECT_EQ(both->udp, expected_udp->udp);
  EXPECT_NE(both->udp, expected_tcp->tcp) << "UDP's ranking, not TCP's";

  // A prefix holds for the entries after it, a top entry included; lists add their ports.
  auto mixed = expand_port_spec("U:top5, 5353,T:22,U:53");
  ASSERT_TRUE(mixed) << mixed.error().message;
  EXPECT_EQ(mixed->tcp, std::vector<std::uint16_t>{22});
  std::vector<std::uint16_t> udp = expected_udp->udp;
  udp.push_back(5353);
  udp.push_back(53);
  std::sort(udp.begin(), udp.end());
  udp.erase(std::unique(udp.begin(), udp.end()), udp.end());
  EXPECT_EQ(mixed->udp, udp);
  auto tcp_top_and_list = expand_port_spec("T:top10,22222");
  ASSERT_TRUE(tcp_top_and_list);
  EXPECT_EQ(tcp_top_and_list->tcp.size(), 11u);
  EXPECT_TRUE(tcp_top_and_list->udp.empty());
}

TEST(UdpPortSpecTest, BadUdpEntriesAreRefusedNamingPorts) {
  for (const char* spec : {"U:", "T:22,U:0", "U:70000", "U:53,X:1", "U:dns", "U:top0", "U:top70000",
                           "top10,U:topx", "U:top5,U:0", "U:top5,,22"}) {
    const Status checked = check_port_spec(spec);
    ASSERT_FALSE(checked) << spec;
    EXPECT_EQ(checked.error().field, "ports") << spec;
    EXPECT_EQ(checked.error().code, ErrorCode::kInvalidArgument) << spec;
  }
}

// ---- plans --------------------------------------------------------------------------------

class UdpPlanTest : public ::testing::Test {
 protected:
  Result<ScanPlan> plan(ScanRequest request, std::string_view scope = "127.68.0.0/16") {
    return plan_scan(request, *scan::ScanScope::parse(scope), resolver_);
  }
  NoNames resolver_;
};

TEST_F(UdpPlanTest, APlanCarriesBothProtocolsAndCountsEveryPair) {
  auto planned = plan({.targets = {"127.68.0.0/30"}, .ports = "T:22,U:53,161"});
  ASSERT_TRUE(planned) << planned.error().message;
  EXPECT_EQ(planned->ports.tcp, std::vector<std::uint16_t>{22});
  EXPECT_EQ(planned->ports.udp, (std::vector<std::uint16_t>{53, 161}));
  EXPECT_EQ(planned->ports.size(), 3u);
  EXPECT_EQ(planned->port_spec, "T:22,U:53,161");
}

TEST_F(UdpPlanTest, TheScopeKeyTellsTcpFromUdpAndKeepsTcpKeysAsBefore) {
  auto tcp = plan({.targets = {"127.68.0.0/30"}, .ports = "53"});
  auto udp = plan({.targets = {"127.68.0.0/30"}, .ports = "U:53"});
  auto both = plan({.targets = {"127.68.0.0/30"}, .ports = "T:53,U:53"});
  auto again = plan({.targets = {"127.68.0.0-3"}, .ports = "U:53,T:53"});
  ASSERT_TRUE(tcp && udp && both && again);
  EXPECT_NE(tcp->scope_key, udp->scope_key);
  EXPECT_NE(tcp->scope_key, both->scope_key);
  EXPECT_NE(udp->scope_key, both->scope_key);
  EXPECT_EQ(both->scope_key, again->scope_key);
  // The key of a TCP list is the one jobs stored before UDP could be scanned, so that their
  // diffs still find them.
  EXPECT_EQ(tcp->scope_key, crypto::sha256_hex("127.68.0.0-127.68.0.3,|53,"));
}

TEST_F(UdpPlanTest, UdpOnMoreAddressesThanTheServerScansNeedsAgents) {
  const std::string scope = "127.0.0.0/8";
  ASSERT_GT(std::uint64_t{1} << 24, scan::kMaxUdpScanTargets);
  auto refused =
      plan({.targets = {"127.0.0.0/8"}, .ports = "T:22,U:53", .confirm_large = true}, scope);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "ports");
  EXPECT_NE(refused.error().message.find("agents"), std::string::npos) << refused.error().message;
  auto tcp = plan({.targets = {"127.0.0.0/8"}, .ports = "22", .confirm_large = true}, scope);
  EXPECT_TRUE(tcp) << tcp.error().message;
  auto sharded = plan({.targets = {"127.0.0.0/8"},
                       .ports = "T:22,U:53",
                       .confirm_large = true,
                       .agents = AgentSelection{.group = "scanners", .ids = {}}},
                      scope);
  EXPECT_TRUE(sharded) << sharded.error().message;
}

// ---- results ------------------------------------------------------------------------------

scan::PortResult result(std::string_view address, std::uint16_t port, Protocol protocol,
                        PortState state) {
  return {.address = ip(address), .port = port, .protocol = protocol, .state = state};
}

/// "address proto/port state" of every pending port, and "address" for a host without ports.
std::vector<std::string> pending(FoundResults& found) {
  std::vector<std::string> out;
  for (const auto& [address, host] : found.pending()) {
    if (host.ports.empty()) out.push_back(address.to_string());
    for (const FoundPort& port : host.ports) {
      out.push_back(address.to_string() + " " + std::string(to_string(port.protocol)) + "/" +
                    std::to_string(port.port) + " " + std::string(scan::to_string(port.state)));
    }
  }
  return out;
}

TEST(FoundResultsTest, OpenPortsAndHostsThatAnsweredAreKeptAndFilteredOnesNot) {
  FoundResults found;
  found.add(result("127.68.0.1", 22, Protocol::kTcp, PortState::kOpen));
  found.add(result("127.68.0.1", 53, Protocol::kUdp, PortState::kOpen));
  found.add(result("127.68.0.2", 80, Protocol::kTcp, PortState::kClosed));
  found.add(result("127.68.0.3", 80, Protocol::kTcp, PortState::kFiltered));
  EXPECT_EQ(pending(found), (std::vector<std::string>{"127.68.0.1 tcp/22 open",
                                                      "127.68.0.1 udp/53 open", "127.68.0.2"}));
  EXPECT_EQ(found.held(), 0u);
}

TEST(FoundResultsTest, SilentUdpPortsCountOnlyOnHostsThatAnswered) {
  FoundResults found;
  // Up before its silence: kept at once.
  found.add(result("127.68.0.1", 22, Protocol::kTcp, PortState::kClosed));
  found.add(result("127.68.0.1", 161, Protocol::kUdp, PortState::kOpenFiltered));
  // Silent first, then an ICMP port unreachable shows the host is there.
  found.add(result("127.68.0.2", 161, Protocol::kUdp, PortState::kOpenFiltered));
  found.add(result("127.68.0.2", 162, Protocol::kUdp, PortState::kOpenFiltered));
  // Never answers: nothing of it.
  found.add(result("127.68.0.3", 22, Protocol::kTcp, PortState::kFiltered));
  found.add(result("127.68.0.3", 161, Protocol::kUdp, PortState::kOpenFiltered));
  EXPECT_EQ(pending(found), std::vector<std::string>{"127.68.0.1 udp/161 open|filtered"});
  EXPECT_EQ(found.held(), 3u);

  found.pending().clear();  // taken by the owner
  found.add(result("127.68.0.2", 163, Protocol::kUdp, PortState::kClosed));
  EXPECT_EQ(pending(found), (std::vector<std::string>{"127.68.0.2 udp/161 open|filtered",
                                                      "127.68.0.2 udp/162 open|filtered"}));
  EXPECT_EQ(found.held(), 1u);
}

TEST(FoundResultsTest, AHostDiscoveryFoundUpHasItsSilentUdpPortsOpenFiltered) {
  FoundResults found;
  found.mark_up(ip("127.68.0.4"));
  found.add(result("127.68.0.4", 161, Protocol::kUdp, PortState::kOpenFiltered));
  // A closed port adds no host entry: discovery stored the host already.
  found.add(result("127.68.0.4", 22, Protocol::kTcp, PortState::kClosed));
  EXPECT_EQ(pending(found), std::vector<std::string>{"127.68.0.4 udp/161 open|filtered"});
  EXPECT_EQ(found.held(), 0u);
}

// ---- wire ---------------------------------------------------------------------------------

TEST(UdpWireTest, OpenFilteredCrossesTheWireAndOpenIsSaidByLeavingTheStateOut) {
  FoundHost host{
      .address = ip("127.69.0.1"),
      .hostnames = {},
      .ports = {{.port = 22},
                {.port = 53, .protocol = Protocol::kUdp},
                {.port = 161, .protocol = Protocol::kUdp, .state = PortState::kOpenFiltered}}};
  const boost::json::object json = found_host_json(host);
  const auto& ports = json.at("ports").as_array();
  ASSERT_EQ(ports.size(), 3u);
  EXPECT_FALSE(ports[0].as_object().contains("state")) << json;
  EXPECT_FALSE(ports[1].as_object().contains("state")) << json;
  EXPECT_EQ(ports[2].at("state").as_string(), "open|filtered");
  EXPECT_EQ(ports[2].at("protocol").as_string(), "udp");

  auto back = found_host_from_json(json, "hosts[0]");
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->ports.size(), 3u);
  EXPECT_EQ(back->ports[0].state, PortState::kOpen);
  EXPECT_EQ(back->ports[1].protocol, Protocol::kUdp);
  EXPECT_EQ(back->ports[1].state, PortState::kOpen);
  EXPECT_EQ(back->ports[2].state, PortState::kOpenFiltered);
}

TEST(UdpWireTest, AnyOtherStateIsRefusedNamingTheField) {
  const auto decoded = [](std::string_view state) {
    return decode_shard_report(
        boost::json::parse(std::string(R"({"state":"running","hosts":[{"address":"127.69.0.1",)") +
                           R"("ports":[{"port":53,"protocol":"udp","state":)" + std::string(state) +
                           "}]}]}")
            .as_object());
  };
  EXPECT_TRUE(decoded(R"("open")"));
  EXPECT_TRUE(decoded(R"("open|filtered")"));
  for (const char* state : {R"("closed")", R"("filtered")", "1", R"("OPEN")"}) {
    auto refused = decoded(state);
    ASSERT_FALSE(refused) << state;
    EXPECT_EQ(refused.error().field, "hosts[0].ports[0].state") << refused.error().message;
  }
}

// ---- diff ---------------------------------------------------------------------------------

FoundHost host_with(std::vector<FoundPort> ports) {
  return {.address = ip("127.68.0.1"), .hostnames = {}, .ports = std::move(ports)};
}

TEST(UdpDiffTest, OpenFilteredPortsAreNoChangeUntilTheyTurnOpen) {
  const FoundPort silent{
      .port = 161, .protocol = Protocol::kUdp, .state = PortState::kOpenFiltered};
  const FoundPort open{.port = 161, .protocol = Protocol::kUdp};
  EXPECT_TRUE(diff_scans({host_with({})}, {host_with({silent})}).empty());
  EXPECT_TRUE(diff_scans({host_with({silent})}, {host_with({})}).empty());

  const auto opened = diff_scans({host_with({silent})}, {host_with({open})});
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(opened[0].action, ChangeAction::kPortOpened);
  EXPECT_EQ(opened[0].protocol, Protocol::kUdp);
  EXPECT_EQ(opened[0].port, 161);
  const auto closed = diff_scans({host_with({open})}, {host_with({silent})});
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].action, ChangeAction::kPortClosed);
}

}  // namespace
}  // namespace sentinel::scanner
