// The server's ScanAgents::sites() over a real registry and inventory (SQLite and PostgreSQL):
// where each of several agents sits, from its reported interfaces; revoked agents, agents
// without inventory and agents with only host-local addresses sit nowhere.

#include <gtest/gtest.h>

#include <map>

#include "sentinel/agents/agent_channel.h"
#include "sentinel/inventory/inventory_service.h"
#include "sentinel/scanner/scan_agents.h"
#include "tests/unit/agents/agents_test_fixture.h"

namespace sentinel::scanner {
namespace {

boost::json::object interface(std::string name, std::vector<std::string> addresses) {
  boost::json::array list;
  for (std::string& address : addresses) list.emplace_back(std::move(address));
  return {{"name", std::move(name)},
          {"mac", "02:00:5e:10:00:01"},
          {"mtu", 1500},
          {"up", true},
          {"addresses", std::move(list)}};
}

class ScanAgentsSitesTest : public agents::AgentsTest {
 protected:
  void SetUp() override {
    AgentsTest::SetUp();
    inventory_ = inventory::InventoryService::create(*db_, clock_);
    channel_ = agents::AgentChannel::create(*registry_, *db_, *bus_, inventory_.get(), clock_,
                                            metrics_, {});
    scan_agents_ = make_scan_agents(*registry_, *channel_, *inventory_);
  }

  /// Enrols an agent as `hostname` (the registry lists agents by host name); returns its id.
  std::string enrolled(const std::string& hostname) {
    auto grant = enroll(new_token().token, hostname);
    EXPECT_TRUE(grant) << grant.error().message;
    return grant ? grant->agent_id : std::string();
  }

  /// Stores `interfaces` as the agent's inventory, as ingest does for its snapshot.
  void report_interfaces(const std::string& agent_id, boost::json::array interfaces) {
    const protocol::Event snapshot{
        1,
        clock_.now_ms(),
        "inventory.snapshot",
        {{"section", "interfaces"}, {"items", std::move(interfaces)}, {"part", 1}, {"parts", 1}}};
    Status applied = db_->transact([&](store::Connection& tx) {
      std::vector<inventory::DerivedEvent> derived;
      return inventory_->apply(tx, agent_id, snapshot, derived);
    });
    ASSERT_TRUE(applied) << applied.error().message;
  }

  /// sites() as agent id -> its networks in CIDR form.
  std::map<std::string, std::vector<std::string>> sites() {
    auto found = scan_agents_->sites();
    EXPECT_TRUE(found) << found.error().message;
    std::map<std::string, std::vector<std::string>> out;
    for (const AgentSite& site : found ? *found : std::vector<AgentSite>{}) {
      auto& networks = out[site.id];
      for (const scan::AddressRange& network : site.networks) {
        networks.push_back(network.to_string());
      }
    }
    return out;
  }

  std::unique_ptr<inventory::InventoryService> inventory_;
  std::unique_ptr<agents::AgentChannel> channel_;
  std::unique_ptr<ScanAgents> scan_agents_;
};

TEST_P(ScanAgentsSitesTest, EveryAgentSitsInTheNetworksOfItsOwnInterfaces) {
  const std::string two_networks = enrolled("a-two-networks");
  const std::string host_local = enrolled("b-host-local");
  const std::string revoked = enrolled("c-revoked");
  enrolled("d-no-inventory");
  const std::string one_network = enrolled("e-one-network");

  report_interfaces(two_networks,
                    {interface("eth0", {"10.1.2.7/24", "10.1.2.8/24", "fe80::7/64"}),
                     interface("eth1", {"fd00:1::7/64"}), interface("lo", {"127.0.0.1/8"})});
  report_interfaces(host_local, {interface("lo", {"127.0.0.1/8", "::1/128"}),
                                 interface("eth0", {"169.254.3.4/16", "fe80::1/64"})});
  report_interfaces(revoked, {interface("eth0", {"10.9.0.5/16"})});
  report_interfaces(one_network, {interface("eth0", {"192.168.5.20/24"})});
  ASSERT_TRUE(registry_->revoke(admin_, revoked, client_));

  EXPECT_EQ(sites(), (std::map<std::string, std::vector<std::string>>{
                         {two_networks, {"10.1.2.0/24", "fd00:1::/64"}},
                         {one_network, {"192.168.5.0/24"}},
                     }));

  // What an agent reports next is where it sits from then on.
  report_interfaces(host_local, {interface("eth0", {"10.1.2.9/24"})});
  EXPECT_EQ(sites(), (std::map<std::string, std::vector<std::string>>{
                         {two_networks, {"10.1.2.0/24", "fd00:1::/64"}},
                         {host_local, {"10.1.2.0/24"}},
                         {one_network, {"192.168.5.0/24"}},
                     }));
}

INSTANTIATE_TEST_SUITE_P(Backends, ScanAgentsSitesTest, ::testing::ValuesIn(test::kBackends),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::scanner
