// A shard as the agent runs it, in its confined scan worker child (CAP_NET_RAW only, seccomp
// profile `scanner`), against the scan test bed: raw SYN probes where the test runs as root,
// then service detection with nmap's probes (PCRE) and TLS (OpenSSL) inside the child. Every
// port the bed serves is found, named as nmap -sV names it, and its TLS facts come through the
// worker's stream. All traffic stays on 127.93.0.0/16.

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "agent/scan/scan_worker.h"
#include "agent/scan/shard_runner.h"
#include "tests/integration/scanbed/scanbed_process.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace sentinel::agent {
namespace {

using namespace std::chrono_literals;
using Key = std::pair<std::string, std::uint16_t>;

constexpr int kHosts = 30;

TEST(ConfinedShardTest, TheWorkerFindsAndNamesEveryBedPortWithItsTlsFacts) {
  test::TempDir dir("confined-shard-test");
  test::ChildProcess bed;
  boost::json::value truth;
  ASSERT_TRUE(test::start_scanbed(dir.path(),
                                  {"--base", "127.93.0.0", "--hosts", std::to_string(kHosts),
                                   "--seed", "21", "--deadline", "20"},
                                  bed, truth));
  std::map<Key, std::string> expected;
  std::set<std::uint16_t> port_set;
  for (const auto& host : truth.at("hosts").as_array()) {
    for (const auto& port : host.at("ports").as_array()) {
      const auto number = static_cast<std::uint16_t>(port.at("port").as_int64());
      expected[{std::string(host.at("address").as_string()), number}] =
          std::string(port.at("service").as_string());
      port_set.insert(number);
    }
  }
  ASSERT_FALSE(expected.empty());
  std::string ports;
  for (const std::uint16_t port : port_set) {
    ports += (ports.empty() ? "" : ",") + std::to_string(port);
  }

  ManualClock clock{1'700'000'000'000};
  // The agent's own binary, as the agent starts it (its `scan-worker` mode).
  ConfinedShardEngine engine(
      ConfinedShardEngineOptions{.executable = sentinel::test::binary_path("sentinel-agent")});
  ShardRunner runner({}, engine, clock);
  const scanner::ShardStart start{.job_id = 5,
                                  .shard = 0,
                                  .targets = "127.93.0.1-127.93.0." + std::to_string(kHosts),
                                  .ports = ports,
                                  .scope = "127.93.0.0/16",
                                  .raw = true,
                                  .service_detection = true};
  auto started = runner.handle("scan_shard_start", scanner::encode(start));
  ASSERT_TRUE(started) << started.error().message;
  // The worker kept CAP_NET_RAW: a root test scans with SYN probes.
  EXPECT_EQ(started->at("method").as_string(), ::geteuid() == 0 ? "syn" : "connect");

  std::map<Key, scanner::FoundPort> found;
  scanner::ShardReport last;
  const auto deadline = std::chrono::steady_clock::now() + 300s;  // a bound, not a measurement
  while (std::chrono::steady_clock::now() < deadline) {
    auto answer = runner.handle("scan_shard_poll", scanner::encode(scanner::ShardRef{5, 0}));
    ASSERT_TRUE(answer) << answer.error().message;
    auto report = scanner::decode_shard_report(*answer);
    ASSERT_TRUE(report) << report.error().message;
    for (const auto& host : report->hosts) {
      for (const auto& port : host.ports) {
        // A port comes again once its service is named: the later entry has it.
        scanner::FoundPort& kept = found[{host.address.to_string(), port.port}];
        if (port.service || !kept.service) kept = port;
      }
    }
    last = *report;
    if (report->state != scanner::ShardState::kRunning) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(last.state, scanner::ShardState::kDone) << last.error;
  EXPECT_EQ(last.pairs_done, last.pairs_total);
  EXPECT_EQ(last.pairs_total, static_cast<std::int64_t>(kHosts * port_set.size()));

  std::size_t agree = 0;
  std::size_t tls_ports = 0;
  for (const auto& [key, service] : expected) {
    const auto port = found.find(key);
    if (port == found.end()) {
      ADD_FAILURE() << key.first << ":" << key.second << " (" << service << ") not found open";
      continue;
    }
    const scanner::FoundPort& got = port->second;
    const std::string name = !got.service         ? "-"
                             : got.tunnel.empty() ? got.service->service
                                                  : got.tunnel + "/" + got.service->service;
    if (name == service) ++agree;
    if (service.rfind("ssl/", 0) != 0) continue;
    ++tls_ports;
    ASSERT_TRUE(got.tls) << "no TLS facts for " << key.first << ":" << key.second;
    EXPECT_EQ(got.tls->subject, "CN=scanbed.test");
    EXPECT_TRUE(got.tls->self_signed);
    EXPECT_EQ(got.tls->versions_accepted, (std::vector<std::string>{"TLSv1.2", "TLSv1.3"}));
  }
  // Nothing but the bed's ports is open.
  EXPECT_EQ(found.size(), expected.size());
  EXPECT_GT(tls_ports, 0u) << "the bed has no TLS port: pick another seed";
  // As the service detection test asks of the engine itself: 95% named as nmap names them.
  EXPECT_GE(agree * 100, expected.size() * 95) << agree << "/" << expected.size();
  auto code = bed.stop(SIGTERM, 10s);
  EXPECT_TRUE(code && *code == 0) << "scanbed did not stop cleanly";
}

}  // namespace
}  // namespace sentinel::agent
