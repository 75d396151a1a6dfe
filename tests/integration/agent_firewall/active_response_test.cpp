// Active response end to end (ADR 0006, issue 7): a real server and a real agent with
// CAP_NET_ADMIN in a network namespace the test creates, and a peer namespace joined to it by a
// veth pair. The agent tails an auth log; failed SSH logins written to it from a peer address
// raise a brute-force alert, the server blocks that address on the agent, and the kernel drops
// its connections (and only its) until the block expires; the same logins from an allow-listed
// address alert but are never blocked, and the refusal is audited. The rule is a test copy of
// the shipped brute force with a short block and a lower threshold: three failures, so that the
// shipped rule (five, ten-minute block) never fires here and only the short block is in force.
// Nothing leaves the test's namespaces; no assertion depends on how fast anything happens.

#include <gmock/gmock.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>

#include "tests/integration/agent_firewall/netns_fixture.h"

namespace sentinel::test {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;
using std::chrono::milliseconds;

constexpr const char* kAttacker = kPeerAddress;
constexpr const char* kBystander = "10.199.0.3";  // connects, never attacks
constexpr const char* kAdmin = "10.199.0.4";      // allow-listed, then fails its logins

constexpr const char* kRuleId = "7d3f6b0e-1c2a-4f5e-8a9b-0c1d2e3f4a51";
constexpr const char* kRuleTitle = "SSH brute force, short block (test)";
constexpr std::int64_t kBlockSeconds = 5;
constexpr int kFailures = 3;

constexpr const char* kRule = R"(title: SSH brute force, short block (test)
id: 7d3f6b0e-1c2a-4f5e-8a9b-0c1d2e3f4a51
name: test_ssh_bruteforce_short
status: test
correlation:
  type: event_count
  rules:
    - ssh_auth_failure
  group-by:
    - agent.id
    - source.ip
  timespan: 10m
  condition:
    gte: 3
entity: source.ip
response:
  block:
    field: source.ip
    duration: 5s
    scope: agent
level: high
)";

// Input dropped unless it is for the service; blocks drop before any accept.
const json::value kPolicy = json::parse(R"({"chains": {"input": {"policy": "drop", "rules": [
  {"id": "service", "protocol": "tcp", "ports": 8080, "action": "accept"}]}}})");

// A dropped SYN is retransmitted after one second: that much silence on a veth pair that
// answers in microseconds is a drop, and it stays well inside the block's five seconds.
constexpr milliseconds kSilence{1000};

// Debian 12 rsyslog's RFC 3339 stamp, now: the rule's window counts event times.
std::string auth_log_line(const std::string& message) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
      1000000;
  std::tm parts{};
  ::gmtime_r(&seconds, &parts);
  char stamp[64];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &parts);
  char fraction[16];
  std::snprintf(fraction, sizeof fraction, ".%06lld+00:00", static_cast<long long>(micros));
  return std::string(stamp) + fraction + " web1 " + message + "\n";
}

class ActiveResponseTest : public NetnsAgentTest {
 protected:
  void SetUp() override {
    std::ofstream(rules_.path() / "short_block.yml") << kRule;
    auth_log_ = (logs_.path() / "auth.log").string();
    std::ofstream(auth_log_) << "";
    NetnsAgentTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    add_peer_address(kBystander);
    add_peer_address(kAdmin);
  }

  std::vector<std::string> server_arguments() override {
    return {"--set", "detection.rules_dirs=" + rules_.path().string()};
  }

  void append(const std::string& lines) {
    std::ofstream out(auth_log_, std::ios::app);
    out << lines;
  }

  /// kFailures failed passwords for an unknown user from `address`, in one write.
  void fail_logins(const std::string& address) {
    std::string lines;
    for (int i = 0; i < kFailures; ++i) {
      lines += auth_log_line("sshd[4242]: Failed password for invalid user oracle from " + address +
                             " port " + std::to_string(++port_) + " ssh2");
    }
    append(lines);
  }

  /// The agent opens the log and then follows it from its end: a harmless line (an accepted
  /// key, from an address that never fails) every second until one is stored, so that every
  /// line after it is read.
  void wait_until_followed(client::ApiClient& admin, const std::string& agent_id) {
    int written = 0;
    int polls = 0;
    ASSERT_TRUE(eventually([&] {
      if (polls++ % 20 == 0) {
        append(auth_log_line("sshd[4240]: Accepted publickey for follow" +
                             std::to_string(++written) +
                             "x from 10.199.0.6 port 50000 ssh2: ED25519 "
                             "SHA256:Zx1u5mVq0c8Yb2QeJr4T7Hk9WpLdA6sNfGi3oXyKtRE"));
      }
      auto reply = admin.get("/api/v1/events?agent=" + agent_id + "&q=follow" +
                             std::to_string(written) + "x");
      return reply && reply->status == 200 && body_of(*reply).at("total").as_int64() > 0;
    })) << "the agent never read its auth log";
  }

  /// Creates a policy that accepts the service port, assigns it to the agent and applies it
  /// through the API, as an administrator would; the agent's outcome must be "confirmed".
  void apply_policy(client::ApiClient& admin, const std::string& agent_id) {
    auto created = admin.post("/api/v1/firewall/policies",
                              json::object{{"name", "web"}, {"document", kPolicy}});
    ASSERT_TRUE(created) << created.error().message;
    ASSERT_EQ(created->status, 201) << created->body;
    const std::int64_t policy = body_of(*created).at("id").as_int64();
    auto assigned =
        admin.put("/api/v1/firewall/policies/" + std::to_string(policy) + "/assignments",
                  json::object{{"assignments", json::array{json::object{{"agent_id", agent_id}}}}});
    ASSERT_TRUE(assigned) << assigned.error().message;
    ASSERT_EQ(assigned->status, 200) << assigned->body;
    auto applied = admin.post("/api/v1/firewall/apply", json::object{{"policy_id", policy}});
    ASSERT_TRUE(applied) << applied.error().message;
    ASSERT_EQ(applied->status, 200) << applied->body;
    const json::value outcome = body_of(*applied);
    const json::array& results = outcome.at("results").as_array();
    ASSERT_EQ(results.size(), 1u) << applied->body;
    ASSERT_EQ(results[0].at("outcome"), "confirmed") << applied->body;
  }

  /// Every block the server knows, active or not, newest first.
  json::array blocks(client::ApiClient& admin) {
    auto reply = admin.get("/api/v1/firewall/blocks?limit=1000");
    if (!reply || reply->status != 200) return {};
    return body_of(*reply).at("items").as_array();
  }

  /// The block of `address`; null when there is none.
  json::value block_of(client::ApiClient& admin, const std::string& address) {
    for (const json::value& item : blocks(admin)) {
      if (item.at("address") == address.c_str()) return item;
    }
    return nullptr;
  }

  TempDir rules_{"sentinel-active-response-rules"};
  TempDir logs_{"sentinel-active-response-logs"};
  std::string auth_log_;
  int port_ = 50100;
};

TEST_P(ActiveResponseTest, ABruteForceIsDroppedUntilItsBlockExpiresAndAnAllowListedOneNever) {
  client::ApiClient admin = this->admin();
  AgentProcess& agent = start_agent(admin, {},
                                    "inventory:\n  interval_s: 3600\nprocess:\n  enabled: false\n"
                                    "logs:\n  files: [" +
                                        auth_log_ + "]\n");
  const std::string agent_id = enrolled_id(agent);
  ASSERT_FALSE(agent_id.empty());
  ASSERT_TRUE(eventually([&] { return status_of(admin, agent_id) == "online"; }));
  apply_policy(admin, agent_id);
  if (HasFatalFailure()) return;
  ASSERT_EQ(probe(kAttacker, kSilence), Probe::kConnected) << "before the attack";
  ASSERT_EQ(probe(kBystander, kSilence), Probe::kConnected);
  wait_until_followed(admin, agent_id);
  if (HasFatalFailure()) return;

  // (1) The failures raise the rule's alert, and active response blocks the attacker on the
  // attacked agent, for the rule's duration, naming the rule.
  fail_logins(kAttacker);
  json::value block;
  ASSERT_TRUE(eventually([&] {
    block = block_of(admin, kAttacker);
    return !block.is_null();
  })) << "no block of the attacker";
  EXPECT_EQ(block.at("rule_id"), kRuleId);
  EXPECT_EQ(block.at("requested_by"), json::value(std::string("rule:") + kRuleId));
  EXPECT_THAT(std::string(block.at("reason").as_string()), HasSubstr(kRuleTitle));
  EXPECT_THAT(std::string(block.at("reason").as_string()), HasSubstr(kAttacker));
  EXPECT_EQ(block.at("scope"), "agent");
  EXPECT_EQ(block.at("agent_id"), json::value(agent_id));
  EXPECT_EQ(block.at("offence"), 1);
  EXPECT_EQ(block.at("requested_duration_s"), kBlockSeconds);
  EXPECT_EQ(block.at("duration_s"), kBlockSeconds);
  ASSERT_TRUE(block.at("alert_id").is_int64()) << block;
  const auto alert = admin.get("/api/v1/alerts/" + std::to_string(block.at("alert_id").as_int64()));
  ASSERT_TRUE(alert);
  ASSERT_EQ(alert->status, 200) << alert->body;
  EXPECT_EQ(body_of(*alert).at("rule_id"), kRuleId);
  EXPECT_EQ(body_of(*alert).at("entity"), json::value(std::string("source.ip=") + kAttacker));

  // (2) The attacker's connections are dropped in the kernel; the bystander's still succeed.
  EXPECT_TRUE(eventually([&] { return probe(kAttacker, kSilence) == Probe::kDropped; }))
      << "the attacker still connects";
  EXPECT_EQ(probe(kBystander, kSilence), Probe::kConnected) << "the bystander was caught too";

  // (3) The block expires by itself: the attacker connects again, and by then the server
  // shows the block as expired (the kernel's timeout starts when the agent adds the address,
  // after the server started the block, so a block lifted early would still show as active).
  EXPECT_TRUE(eventually([&] { return probe(kAttacker, kSilence) == Probe::kConnected; }))
      << "the block never expired";
  const auto shown =
      admin.get("/api/v1/firewall/blocks/" + std::to_string(block.at("id").as_int64()));
  ASSERT_TRUE(shown);
  ASSERT_EQ(shown->status, 200) << shown->body;
  const json::value expired = body_of(*shown);
  EXPECT_EQ(expired.at("active"), false) << "the kernel let the attacker in before the block ended";
  EXPECT_EQ(expired.at("remaining_s"), 0);
  EXPECT_TRUE(expired.at("removed_at").is_null()) << "expired, not removed by anyone";
  const auto active = admin.get("/api/v1/firewall/blocks?active=true");
  ASSERT_TRUE(active);
  EXPECT_EQ(body_of(*active).at("total"), 0) << active->body;

  // (4) An allow-listed address fails the same way: the alert, a refusal in the audit trail,
  // no block, and its connections go on.
  auto allowed = admin.post(
      "/api/v1/firewall/allow-list",
      json::object{{"cidr", std::string(kAdmin) + "/32"}, {"comment", "admin workstation"}});
  ASSERT_TRUE(allowed);
  ASSERT_EQ(allowed->status, 201) << allowed->body;
  const std::int64_t entry_id = body_of(*allowed).at("id").as_int64();
  fail_logins(kAdmin);
  const std::string admin_entity = std::string("source.ip=") + kAdmin;
  EXPECT_TRUE(eventually([&] {
    auto reply = admin.get(std::string("/api/v1/alerts?rule=") + kRuleId);
    if (!reply || reply->status != 200) return false;
    const json::value page = body_of(*reply);
    for (const json::value& item : page.at("items").as_array()) {
      if (item.at("entity") == admin_entity.c_str()) return true;
    }
    return false;
  })) << "the allow-listed address raised no alert";
  json::value refusal;
  ASSERT_TRUE(eventually([&] {
    auto reply = admin.get("/api/v1/audit?action=firewall.block");
    if (!reply || reply->status != 200) return false;
    const json::value page = body_of(*reply);
    for (const json::value& item : page.at("items").as_array()) {
      if (item.at("outcome") == "denied" && item.at("details").at("address") == kAdmin) {
        refusal = item;
        return true;
      }
    }
    return false;
  })) << "no audited refusal";
  EXPECT_EQ(refusal.at("actor"), "system");
  EXPECT_EQ(refusal.at("details").at("rule_id"), kRuleId);
  EXPECT_THAT(std::string(refusal.at("details").at("allow_list").as_string()),
              HasSubstr("allow-list entry " + std::to_string(entry_id) + " (" + kAdmin));
  EXPECT_TRUE(block_of(admin, kAdmin).is_null()) << "the allow-listed address was blocked";
  EXPECT_EQ(blocks(admin).size(), 1u) << "only the attacker's block, and only from the test rule";
  EXPECT_EQ(probe(kAdmin, kSilence), Probe::kConnected);
}

// Enforcement does not depend on the server's database: SQLite only, which also keeps the
// shared PostgreSQL cluster from being started inside a namespace that goes away.
INSTANTIATE_TEST_SUITE_P(Sqlite, ActiveResponseTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::test
