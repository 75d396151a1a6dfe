// Jobs on the agents that sit in the target networks, end to end: the test joins a network
// namespace to its own by a veth pair on 10.231.N.0/24 (DiscoveryBed: its end .1, the
// namespace's .2, where a listener waits), so that an agent started here reports an interface in
// that network in its inventory. A job on {"networks": true} over the /24 is cut along that
// network, goes to the agent and finds exactly the listener; targets in no agent's network
// (loopback counts for no one) are refused naming them.

#include "tests/integration/agent_e2e/agent_fixture.h"
#include "tests/integration/scanner/discovery_bed.h"
#include "tests/integration/scanner/scanner_support.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

constexpr const char* kLoopbackScope = "127.69.0.0/16";

class NetworkAgentsScanTest : public AgentTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(bed_.up());
    start_server({"--scan-scope", bed_.network(), "--scan-scope", kLoopbackScope, "--set",
                  "scanner.service_detection=false"});
  }

  /// Whether the agent's inventory lists an interface with `address` (CIDR form).
  static bool reports_address(client::ApiClient& admin, const std::string& agent_id,
                              const std::string& address) {
    auto reply = admin.get("/api/v1/agents/" + agent_id + "/inventory/interfaces");
    if (!reply || reply->status != 200) return false;
    return reply->body.find("\"" + address + "\"") != std::string::npos;
  }

  client::HttpReply post_scan(client::ApiClient& admin, const std::string& targets,
                              const std::string& ports) {
    auto reply = admin.post("/api/v1/scans", boost::json::object{{"targets", {targets}},
                                                                 {"ports", ports},
                                                                 {"agents", {{"networks", true}}}});
    EXPECT_TRUE(reply) << reply.error().message;
    return reply ? *reply : client::HttpReply{};
  }

  DiscoveryBed bed_{"net"};
};

TEST_P(NetworkAgentsScanTest, TheAgentInTheTargetNetworkScansItAndOtherTargetsAreRefused) {
  client::ApiClient admin = this->admin();
  // Before any agent reports where it sits, nothing is covered.
  auto early = post_scan(admin, bed_.network(), "22");
  EXPECT_EQ(early.status, 400) << early.body;

  AgentOptions options;
  options.server_url = server_->url();
  options.token = new_token(admin);
  options.config_yaml = kScanAgentConfig;
  auto agent = AgentProcess::start(options);
  ASSERT_TRUE(agent) << agent.error().message;
  agents_.push_back(std::move(*agent));
  const std::string id = enrolled_id(*agents_.back());
  ASSERT_TRUE(eventually([&] { return status_of(admin, id) == "online"; }));
  ASSERT_TRUE(eventually([&] { return reports_address(admin, id, bed_.address(1) + "/24"); }));

  // Loopback is every host's own: no agent sits in it.
  auto loopback = post_scan(admin, "127.69.0.1", "22");
  EXPECT_EQ(loopback.status, 400) << loopback.body;
  EXPECT_EQ(loopback.api_error() ? loopback.api_error()->field : "", "agents.networks")
      << loopback.body;
  EXPECT_NE(loopback.body.find("127.69.0.1"), std::string::npos) << loopback.body;

  // Nothing else listens in the namespace: any other port is closed there.
  auto started =
      post_scan(admin, bed_.network(), port_list({bed_.open_port(), bed_.closed_port()}));
  ASSERT_EQ(started.status, 202) << started.body;
  const boost::json::value job = body_of(started);
  EXPECT_TRUE(job.at("agents").at("networks").as_bool()) << job;
  const std::int64_t job_id = job.at("id").as_int64();

  boost::json::value ended;
  ASSERT_TRUE(eventually(
      [&] {
        auto reply = admin.get("/api/v1/scans/" + std::to_string(job_id));
        if (!reply || reply->status != 200) return false;
        ended = body_of(*reply);
        const std::string status(ended.at("status").as_string());
        return status == "completed" || status == "failed";
      },
      std::chrono::seconds(180)));
  ASSERT_EQ(ended.at("status").as_string(), "completed") << ended;
  EXPECT_EQ(ended.at("method").as_string(), "agents");
  auto results = admin.get("/api/v1/scans/" + std::to_string(job_id) + "/results");
  ASSERT_TRUE(results && results->status == 200);
  EXPECT_EQ(open_pairs(body_of(*results)), std::set<std::string>{pair(bed_.listener())});

  // Every shard lay in the network and went to the agent that sits in it.
  auto db = database();
  ASSERT_TRUE(db);
  auto rows = db->query(
      "SELECT COUNT(*), COUNT(DISTINCT network), MIN(network), MIN(agent_id), MAX(agent_id) "
      "FROM scan_shards WHERE job_id = $1",
      {job_id});
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_GE(rows->front().integer(0), 1);
  EXPECT_EQ(rows->front().integer(1), 1);
  EXPECT_EQ(rows->front().text(2), bed_.network());
  EXPECT_EQ(rows->front().text(3), id);
  EXPECT_EQ(rows->front().text(4), id);
}

SENTINEL_BOTH_BACKENDS(NetworkAgentsScanTest);

}  // namespace
}  // namespace sentinel::test
