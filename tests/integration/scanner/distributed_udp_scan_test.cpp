// A distributed job with TCP and UDP ports, end to end: a real server and a real agent (group
// "udp-scanners") scan 127.72.0.1-2, a range no other test uses, where the test opens a TCP
// listener, a UDP responder, a silent UDP socket and leaves a UDP port unbound. The agent runs
// the UDP scanner after the TCP one and reports open and open|filtered UDP ports with their
// protocol; the server stores exactly those, and the closed port not at all. With service
// detection on, the agent names a DNS server on 127.72.1.1 that the port scan heard as silence,
// and reports that port open.

#include <gtest/gtest.h>

#include "tests/integration/agent_e2e/agent_fixture.h"
#include "tests/integration/scan/udp_responders.h"
#include "tests/integration/scan/udp_services.h"
#include "tests/integration/scanner/scanner_support.h"

namespace sentinel::test {
namespace {

using scan::testing::UdpResponders;
using scan::testing::unbound_ports;

constexpr const char* kScope = "127.72.0.0/16";
constexpr const char* kGroup = "udp-scanners";

/// An agent of group kGroup that may scan, and the jobs it runs.
class UdpAgentTest : public AgentTest {
 protected:
  void start_scanning_agent(client::ApiClient& admin) {
    AgentOptions options;
    options.server_url = server_->url();
    options.token = new_token(admin, {{"group", kGroup}});
    options.config_yaml = kScanAgentConfig;
    auto agent = AgentProcess::start(options);
    ASSERT_TRUE(agent) << agent.error().message;
    agents_.push_back(std::move(*agent));
    const std::string agent_id = enrolled_id(*agents_.back());
    ASSERT_TRUE(eventually([&] { return status_of(admin, agent_id) == "online"; })) << agent_id;
  }

  /// The job once it ended (or as last seen after two minutes).
  boost::json::value ended_job(client::ApiClient& admin, std::int64_t id) {
    boost::json::value ended;
    eventually(
        [&] {
          auto reply = admin.get("/api/v1/scans/" + std::to_string(id));
          if (!reply || reply->status != 200) return false;
          ended = body_of(*reply);
          const std::string status(ended.at("status").as_string());
          return status == "completed" || status == "failed" || status == "cancelled";
        },
        std::chrono::seconds(120));
    return ended;
  }
};

class DistributedUdpScanTest : public UdpAgentTest {
 protected:
  void SetUp() override {
    start_server({"--scan-scope", kScope, "--set", "scanner.service_detection=false"});
  }
};

TEST_P(DistributedUdpScanTest, AnAgentFindsTheUdpResponderAndTheSilentPort) {
  const scan::IpAddress host = *scan::IpAddress::parse("127.72.0.1");
  const std::vector<std::uint16_t> udp = unbound_ports(host, 3);
  ASSERT_EQ(udp.size(), 3u) << std::strerror(errno);
  const std::uint16_t answers = udp[0];
  const std::uint16_t silent = udp[1];
  const std::uint16_t closed = udp[2];
  UdpResponders responders;
  ASSERT_EQ(responders.open(host, answers, true), answers) << std::strerror(errno);
  ASSERT_EQ(responders.open(host, silent, false), silent) << std::strerror(errno);
  responders.start();
  TcpListener web = TcpListener::open("127.72.0.2");

  client::ApiClient admin = this->admin();
  ASSERT_NO_FATAL_FAILURE(start_scanning_agent(admin));

  const std::string ports =
      "T:" + std::to_string(web.port()) + ",U:" + port_list({answers, silent, closed});
  auto started = admin.post(
      "/api/v1/scans", boost::json::object{{"targets", {"127.72.0.1-2"}},
                                           {"ports", ports},
                                           {"agents", boost::json::object{{"group", kGroup}}}});
  ASSERT_TRUE(started) << started.error().message;
  ASSERT_EQ(started->status, 202) << started->body;
  const std::int64_t id = body_of(*started).at("id").as_int64();
  const boost::json::value ended = ended_job(admin, id);
  ASSERT_EQ(ended.at("status").as_string(), "completed") << ended;
  EXPECT_EQ(ended.at("method").as_string(), "agents");
  EXPECT_EQ(ended.at("progress").at("pairs_total").as_int64(), 2 * 4) << ended;
  EXPECT_EQ(ended.at("progress").at("pairs_done").as_int64(), 2 * 4) << ended;
  EXPECT_EQ(ended.at("progress").at("open_found").as_int64(), 2) << ended;

  auto reply = admin.get("/api/v1/scans/" + std::to_string(id) + "/results");
  ASSERT_TRUE(reply && reply->status == 200) << (reply ? reply->body : reply.error().message);
  const boost::json::value found = body_of(*reply);
  std::set<std::string> states;
  for (const auto& result : found.at("hosts").as_array()) {
    for (const auto& port : result.at("ports").as_array()) {
      states.insert(std::string(result.at("address").as_string()) + " " +
                    std::string(port.at("protocol").as_string()) + "/" +
                    std::to_string(port.at("port").as_int64()) + " " +
                    std::string(port.at("state").as_string()));
    }
  }
  EXPECT_EQ(states, (std::set<std::string>{
                        "127.72.0.1 udp/" + std::to_string(answers) + " open",
                        "127.72.0.1 udp/" + std::to_string(silent) + " open|filtered",
                        "127.72.0.2 tcp/" + std::to_string(web.port()) + " open",
                    }))
      << found;
  EXPECT_EQ(found.at("hosts_up").as_int64(), 2) << found;
}

class DistributedUdpServicesTest : public UdpAgentTest {
 protected:
  void SetUp() override { start_server({"--scan-scope", kScope}); }  // detection on (default)
};

TEST_P(DistributedUdpServicesTest, AnAgentNamesAUdpServiceThatStayedSilentToThePortScan) {
  const scan::IpAddress host = *scan::IpAddress::parse("127.72.1.1");
  const std::vector<std::uint16_t> free = unbound_ports(host, 1);
  ASSERT_EQ(free.size(), 1u) << std::strerror(errno);
  const std::uint16_t dns = free[0];  // not 53: the port scan's datagram is no DNS query
  UdpResponders services;
  ASSERT_EQ(services.serve(host, dns, scan::testing::dns_server("9.18.28-1~deb12u2-Debian")), dns)
      << std::strerror(errno);
  services.start();

  client::ApiClient admin = this->admin();
  ASSERT_NO_FATAL_FAILURE(start_scanning_agent(admin));

  auto started = admin.post(
      "/api/v1/scans", boost::json::object{{"targets", {"127.72.1.1"}},
                                           {"ports", "U:" + std::to_string(dns)},
                                           {"agents", boost::json::object{{"group", kGroup}}}});
  ASSERT_TRUE(started) << started.error().message;
  ASSERT_EQ(started->status, 202) << started->body;
  const std::int64_t id = body_of(*started).at("id").as_int64();
  const boost::json::value ended = ended_job(admin, id);
  ASSERT_EQ(ended.at("status").as_string(), "completed") << ended;
  EXPECT_EQ(ended.at("method").as_string(), "agents");

  auto reply = admin.get("/api/v1/scans/" + std::to_string(id) + "/results");
  ASSERT_TRUE(reply && reply->status == 200) << (reply ? reply->body : reply.error().message);
  const boost::json::value found = body_of(*reply);
  ASSERT_EQ(found.at("hosts").as_array().size(), 1u) << found;
  const auto& ports = found.at("hosts").at(0).at("ports").as_array();
  ASSERT_EQ(ports.size(), 1u) << found;
  EXPECT_EQ(ports[0].at("protocol").as_string(), "udp") << found;
  EXPECT_EQ(ports[0].at("state").as_string(), "open") << found;
  const boost::json::value& service = ports[0].at("service");
  ASSERT_TRUE(service.is_object()) << found;
  EXPECT_EQ(service.at("service").as_string(), "domain") << service;
  EXPECT_EQ(service.at("product").as_string(), "ISC BIND") << service;
}

SENTINEL_BOTH_BACKENDS(DistributedUdpScanTest);
SENTINEL_BOTH_BACKENDS(DistributedUdpServicesTest);

}  // namespace
}  // namespace sentinel::test
