// Host discovery in agents' shards, end to end (SQLite and PostgreSQL): a real server and a
// real agent, whose shards run in its confined scan worker (CAP_NET_RAW only, seccomp profile
// `scanner`). The test joins a network namespace to its own by a veth pair on 10.231.N.0/24
// (its end .1, where the agent sits); in the namespace .2 has a listener and .3 exists but
// drops every IP packet (only ARP finds it); .4-.6 do not exist. A job over .2-.6 split to the
// agent stores exactly .2 and .3, both with "arp-response" and the namespace's MAC, .3 without
// ports, and counts the pairs of the hosts up only, as the server's own discovery does; with
// "discovery": false the agent scans every address, finds only .2 and knows no MAC or reason,
// and the diff between the two kinds of job reports no host as gone.

#include <map>

#include "tests/integration/agent_e2e/agent_fixture.h"
#include "tests/integration/scanner/discovery_bed.h"
#include "tests/integration/scanner/scanner_support.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

namespace json = boost::json;

class DistributedDiscoveryTest : public AgentTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(bed_.up());
    start_server({"--scan-scope", bed_.network(), "--set", "scanner.service_detection=false"});
  }

  /// Starts the scanning agent and waits until it is online; its id.
  std::string start_agent(client::ApiClient& admin) {
    AgentOptions options;
    options.server_url = server_->url();
    options.token = new_token(admin);
    options.config_yaml = kScanAgentConfig;
    auto agent = AgentProcess::start(options);
    EXPECT_TRUE(agent) << agent.error().message;
    if (!agent) return {};
    agents_.push_back(std::move(*agent));
    const std::string id = enrolled_id(*agents_.back());
    EXPECT_TRUE(eventually([&] { return status_of(admin, id) == "online"; }));
    return id;
  }

  /// Runs a job over .2-.6, the listener's port and a closed one, on the agent; waits for its
  /// end (at most three minutes: a bound, not a measurement) and returns the job.
  json::value scan(client::ApiClient& admin, const std::string& agent_id,
                   std::optional<bool> discovery) {
    json::object body{{"targets", {bed_.address(2) + "-6"}},
                      {"ports", port_list({bed_.open_port(), bed_.closed_port()})},
                      {"agents", {{"ids", {agent_id}}}}};
    if (discovery) body["discovery"] = *discovery;
    auto started = admin.post("/api/v1/scans", body);
    EXPECT_TRUE(started && started->status == 202)
        << (started ? started->body : started.error().message);
    if (!started || started->status != 202) return {};
    const json::value job = body_of(*started);
    EXPECT_EQ(job.at("discovery"), json::value(discovery.value_or(true))) << job;
    const std::string path = "/api/v1/scans/" + std::to_string(job.at("id").as_int64());
    json::value ended;
    EXPECT_TRUE(eventually(
        [&] {
          auto reply = admin.get(path);
          if (!reply || reply->status != 200) return false;
          ended = body_of(*reply);
          const std::string status(ended.at("status").as_string());
          return status == "completed" || status == "failed" || status == "cancelled";
        },
        std::chrono::seconds(180)));
    return ended;
  }

  /// The results' hosts by address.
  std::map<std::string, json::object> hosts_of(client::ApiClient& admin, std::int64_t id) {
    return hosts_by_address(all_results(admin, id));
  }

  DiscoveryBed bed_{"adi"};
};

TEST_P(DistributedDiscoveryTest, TheAgentFindsTheLiveHostsFirstAsTheServerDoes) {
  client::ApiClient admin = this->admin();
  const std::string agent_id = start_agent(admin);
  ASSERT_FALSE(agent_id.empty());

  const json::value found = scan(admin, agent_id, std::nullopt);  // discovery is the default
  ASSERT_TRUE(found.is_object());
  ASSERT_EQ(found.at("status").as_string(), "completed") << found;
  EXPECT_EQ(found.at("method").as_string(), "agents");
  // Five addresses, every one done; the pairs are the two hosts up x two ports, as in a job of
  // the server's own engine (scan_discovery_test.cpp).
  const auto& progress = found.at("progress");
  EXPECT_EQ(progress.at("hosts_total").as_int64(), 5) << found;
  EXPECT_EQ(progress.at("hosts_done").as_int64(), 5) << found;
  EXPECT_EQ(progress.at("pairs_total").as_int64(), 4) << found;
  EXPECT_EQ(progress.at("pairs_done").as_int64(), 4) << found;
  EXPECT_EQ(progress.at("percent").as_double(), 100.0) << found;
  EXPECT_EQ(progress.at("open_found").as_int64(), 1) << found;

  const std::int64_t id = found.at("id").as_int64();
  EXPECT_TRUE(bed_.found_by_discovery(hosts_of(admin, id)));

  // Every address scanned: the host that drops every packet is not seen, nothing is known of
  // how the other was found, and that is no change of either host.
  const json::value every = scan(admin, agent_id, false);
  ASSERT_TRUE(every.is_object());
  ASSERT_EQ(every.at("status").as_string(), "completed") << every;
  EXPECT_EQ(every.at("progress").at("pairs_total").as_int64(), 10) << every;
  EXPECT_EQ(every.at("progress").at("pairs_done").as_int64(), 10) << every;
  EXPECT_TRUE(bed_.found_without_discovery(hosts_of(admin, every.at("id").as_int64())));
  auto diff = admin.get("/api/v1/scans/" + std::to_string(every.at("id").as_int64()) + "/diff");
  ASSERT_TRUE(diff && diff->status == 200);
  const json::value changes = body_of(*diff);
  EXPECT_EQ(changes.at("previous_id"), json::value(id)) << changes;
  EXPECT_TRUE(changes.at("changes").as_array().empty()) << changes;
}

SENTINEL_BOTH_BACKENDS(DistributedDiscoveryTest);

}  // namespace
}  // namespace sentinel::test
