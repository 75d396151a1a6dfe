// Host discovery as the first phase of jobs on the server's engine (SQLite and PostgreSQL). The
// test joins a network namespace to its own by a veth pair on 10.231.N.0/24 (its end .1); in
// the namespace .2 has a listener and .3 exists but drops every IP packet (only ARP finds it),
// the rest of .2-.6 does not exist. With discovery the job stores exactly .2 and .3, with the
// namespace's MAC and "arp-response", and port-scans only them; with "discovery": false it
// scans every address, finds only .2 and knows no MAC or reason. The diff between the two kinds
// of job reports no host without open ports as gone or new; between two jobs with discovery a
// host that appears without open ports is new.

#include <chrono>
#include <map>
#include <thread>

#include "tests/integration/scanner/discovery_bed.h"
#include "tests/integration/scanner/scanner_support.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

namespace json = boost::json;

class ScanDiscoveryTest : public ScannerApiTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(bed_.up({4}));
    start_server({"--scan-scope", bed_.network(), "--scan-scope", kScanScope, "--set",
                  "scanner.service_detection=false"});
  }

  /// Runs a job over .2-.6 and the listener's port and a closed one; returns its id.
  std::int64_t scan(client::ApiClient& api, std::optional<bool> discovery) {
    json::object body{{"targets", {bed_.address(2) + "-6"}},
                      {"ports", port_list({bed_.open_port(), bed_.closed_port()})}};
    if (discovery) body["discovery"] = *discovery;
    const auto reply = post_scan(api, body);
    EXPECT_EQ(reply.status, 202) << reply.body;
    if (reply.status != 202) return 0;
    const json::value job = body_of(reply);
    EXPECT_EQ(job.at("discovery"), json::value(discovery.value_or(true))) << job;
    return job.at("id").as_int64();
  }

  /// The results' hosts by address.
  std::map<std::string, json::object> hosts_of(client::ApiClient& api, std::int64_t id) {
    return hosts_by_address(results(api, id));
  }

  /// "action address[:port]" of a job's diff.
  std::vector<std::string> changes_of(client::ApiClient& api, std::int64_t id) {
    auto reply = api.get("/api/v1/scans/" + std::to_string(id) + "/diff");
    EXPECT_TRUE(reply && reply->status == 200);
    std::vector<std::string> out;
    if (!reply || reply->status != 200) return out;
    const json::value diff = body_of(*reply);
    EXPECT_FALSE(diff.at("previous_id").is_null()) << diff;
    for (const auto& change : diff.at("changes").as_array()) {
      std::string line = std::string(change.at("action").as_string()) + " " +
                         std::string(change.at("address").as_string());
      if (!change.at("port").is_null()) line += ":" + std::to_string(change.at("port").as_int64());
      out.push_back(line);
    }
    return out;
  }

  DiscoveryBed bed_{"dis"};
};

TEST_P(ScanDiscoveryTest, OnlyTheHostsFoundUpAreScannedAndStoredWithHowTheyWereFound) {
  client::ApiClient root = admin();
  const std::int64_t id = scan(root, std::nullopt);  // discovery is the default
  ASSERT_GT(id, 0);
  const json::value done = wait_completed(root, id);
  // Five addresses; the ports of the two hosts up.
  const auto& progress = done.at("progress");
  EXPECT_EQ(progress.at("hosts_total").as_int64(), 5) << done;
  EXPECT_EQ(progress.at("hosts_done").as_int64(), 5) << done;
  EXPECT_EQ(progress.at("pairs_total").as_int64(), 4) << done;
  EXPECT_EQ(progress.at("pairs_done").as_int64(), 4) << done;
  EXPECT_EQ(progress.at("open_found").as_int64(), 1) << done;

  EXPECT_TRUE(bed_.found_by_discovery(hosts_of(root, id)));

  // Every address scanned: the host that drops every packet is not seen, nothing is known of how
  // the other was found, and that is no change of either host.
  const std::int64_t every = scan(root, false);
  ASSERT_GT(every, 0);
  const json::value every_done = wait_completed(root, every);
  EXPECT_EQ(every_done.at("progress").at("pairs_total").as_int64(), 10) << every_done;
  EXPECT_TRUE(bed_.found_without_discovery(hosts_of(root, every)));
  EXPECT_EQ(changes_of(root, every), std::vector<std::string>{});

  // Back to discovery: .3 is not new against the job that could not see it.
  const std::int64_t again = scan(root, true);
  ASSERT_GT(again, 0);
  wait_completed(root, again);
  EXPECT_EQ(hosts_of(root, again).size(), 2u);
  EXPECT_EQ(changes_of(root, again), std::vector<std::string>{});

  // Between two jobs with discovery a host without open ports that appears is new.
  ASSERT_TRUE(bed_.add_address(4));
  const std::int64_t grown = scan(root, true);
  ASSERT_GT(grown, 0);
  wait_completed(root, grown);
  EXPECT_EQ(hosts_of(root, grown).size(), 3u);
  EXPECT_EQ(changes_of(root, grown), std::vector<std::string>{"host_new " + bed_.address(4)});
}

TEST_P(ScanDiscoveryTest, ACancelDuringDiscoveryEndsTheJobBeforeAnyPortIsScanned) {
  client::ApiClient root = admin();
  // At 20 probes per second the ARP sweep of the /24 has 254 addresses to ask (and asks the
  // silent ones again), so its discovery lasts for many progress reports: a loaded machine
  // cannot make the job leave it before the test sees it running.
  const auto reply = post_scan(
      root,
      {{"targets", {bed_.network()}}, {"ports", port_list({bed_.open_port()})}, {"max_rate", 20}});
  ASSERT_EQ(reply.status, 202) << reply.body;
  const std::int64_t id = body_of(reply).at("id").as_int64();
  json::value running = wait_for_status(root, id, {"running"});
  // A job is running a moment before its first progress report names the phase.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (running.at("progress").at("phase").is_null() && running.at("status") == "running" &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    running = job(root, id);
  }
  ASSERT_EQ(running.at("progress").at("phase"), json::value("discovery")) << running;
  auto cancelled = root.del("/api/v1/scans/" + std::to_string(id));
  ASSERT_TRUE(cancelled && cancelled->status < 300)
      << (cancelled ? cancelled->body : cancelled.error().message);
  const json::value ended = wait_for_status(root, id, {"completed", "cancelled", "failed"});
  EXPECT_EQ(ended.at("status").as_string(), "cancelled") << ended;
  EXPECT_EQ(ended.at("progress").at("pairs_done").as_int64(), 0) << ended;
}

TEST_P(ScanDiscoveryTest, DiscoveryMustBeABooleanAndAgentsMayDoIt) {
  client::ApiClient root = admin();
  auto wrong = post_scan(root, {{"targets", {bed_.address(2)}}, {"discovery", "yes"}});
  EXPECT_EQ(wrong.status, 400) << wrong.body;
  EXPECT_EQ(wrong.api_error() ? wrong.api_error()->field : "", "discovery") << wrong.body;
  // Refused for the group without agents, not for asking agents to find hosts first
  // (distributed_discovery_test.cpp runs such a job).
  auto agents = post_scan(
      root, {{"targets", {bed_.address(2)}}, {"agents", {{"group", "x"}}}, {"discovery", true}});
  EXPECT_EQ(agents.status, 400) << agents.body;
  EXPECT_EQ(agents.api_error() ? agents.api_error()->field : "", "agents.group") << agents.body;
}

SENTINEL_BOTH_BACKENDS(ScanDiscoveryTest);

}  // namespace
}  // namespace sentinel::test
