// Active response through the whole server: a real agent tails an auth log, failed SSH logins
// from one address become events, the shipped brute-force rule alerts, and the server stores a
// block of the attacking address on that agent and sends it the firewall_block command. The
// agent runs with its firewall off: this test checks the server's half and touches no nftables
// (the address is a documentation address that nothing here ever sends to).

#include <gmock/gmock.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "tests/integration/agent_e2e/agent_fixture.h"

namespace sentinel::test {
namespace {

namespace json = boost::json;

constexpr const char* kBruteForceRule = "5b0c1c1e-3f6a-4e0b-9a51-2f0d6c1a7a03";
constexpr const char* kAttacker = "203.0.113.9";

class BlockActiveResponseTest : public AgentTest {};

TEST_P(BlockActiveResponseTest, AnSshBruteForceBlocksTheAttackerOnTheAttackedAgent) {
  client::ApiClient admin = this->admin();
  TempDir dir("sentinel-active-response");
  const std::string log = (dir.path() / "auth.log").string();
  std::ofstream(log) << "";
  AgentProcess& agent = start_agent(admin, {},
                                    "inventory:\n  interval_s: 3600\nprocess:\n  enabled: false\n"
                                    "firewall:\n  enabled: false\nlogs:\n  files: [" +
                                        log + "]\n");
  const std::string agent_id = enrolled_id(agent);
  ASSERT_FALSE(agent_id.empty());
  ASSERT_TRUE(eventually([&] { return status_of(admin, agent_id) == "online"; }));

  // The tailer starts at the end of the file once it has opened it: write a burst of failures
  // every second until one burst has been read and has made the rule fire.
  int polls = 0;
  int port = 40000;
  json::value first;
  ASSERT_TRUE(eventually([&] {
    if (polls++ % 20 == 0) {
      std::ofstream out(log, std::ios::app);
      for (int i = 0; i < 5; ++i) {
        out << "Nov 26 06:00:01 web1 sshd[4242]: Failed password for root from " << kAttacker
            << " port " << ++port << " ssh2\n";
      }
    }
    auto reply = admin.get("/api/v1/firewall/blocks?limit=1000");
    if (!reply || reply->status != 200) return false;
    auto page = reply->json();
    if (!page) return false;
    for (const json::value& item : page->at("items").as_array()) {
      if (item.at("address") == kAttacker &&
          (first.is_null() || item.at("id").as_int64() < first.at("id").as_int64())) {
        first = item;
      }
    }
    return !first.is_null();
  }));

  EXPECT_EQ(first.at("scope"), "agent");
  EXPECT_EQ(first.at("agent_id"), json::value(agent_id));
  EXPECT_EQ(first.at("rule_id"), kBruteForceRule);
  EXPECT_EQ(first.at("requested_by"), json::value(std::string("rule:") + kBruteForceRule));
  EXPECT_EQ(first.at("offence"), 1);
  EXPECT_EQ(first.at("duration_s"), 600);
  ASSERT_TRUE(first.at("alert_id").is_int64()) << first;
  const auto alert = admin.get("/api/v1/alerts/" + std::to_string(first.at("alert_id").as_int64()));
  ASSERT_TRUE(alert);
  ASSERT_EQ(alert->status, 200) << alert->body;
  EXPECT_EQ(body_of(*alert).at("rule_id"), kBruteForceRule);

  // The command went to the attacked agent (which answers that its firewall is off).
  EXPECT_TRUE(eventually([&] {
    std::istringstream lines(server_->log());
    for (std::string line; std::getline(lines, line);) {
      if (line.find("firewall command firewall_block") != std::string::npos &&
          line.find("agent=" + agent_id) != std::string::npos) {
        return true;
      }
    }
    return false;
  }));

  const auto audit = admin.get("/api/v1/audit?action=firewall.block");
  ASSERT_TRUE(audit);
  const json::value trail = body_of(*audit);
  ASSERT_FALSE(trail.at("items").as_array().empty()) << audit->body;
  const json::value& entry = trail.at("items").as_array().back();  // the oldest: the first block
  EXPECT_EQ(entry.at("actor"), "system");
  EXPECT_EQ(entry.at("outcome"), "success");
  EXPECT_EQ(entry.at("details").at("rule_id"), kBruteForceRule);
}

// One backend: the route tests run on both; this one is about the path from a log line.
INSTANTIATE_TEST_SUITE_P(Backends, BlockActiveResponseTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::test
