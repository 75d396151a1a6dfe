// sentinelctl firewall against a real server, as an admin at a terminal or a script uses it:
// offline validation, a policy's life (create, update, history, diff, preview, rollback,
// assignment), blocks with the allow-list, and the errors a user sees. No agent and no
// nftables: what agents do with a policy is tests/integration/agent_firewall's.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/integration/api_fixture.h"
#include "tests/integration/sentinelctl_fixture.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

class SentinelctlFirewallTest : public WithSentinelctl<ApiTest> {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_.path() / name;
    std::ofstream(path) << text;
    return path.string();
  }

  TempDir dir_{"sentinelctl-firewall"};
};

constexpr const char* kWebPolicy = R"({"chains": {"input": {"policy": "drop", "rules": [
  {"id": "ssh", "protocol": "tcp", "ports": 22, "action": "accept"},
  {"id": "web", "protocol": "tcp", "ports": [80, 443], "action": "accept"}]}}})";

constexpr const char* kNoWebPolicy = R"({"chains": {"input": {"policy": "drop", "rules": [
  {"id": "ssh", "protocol": "tcp", "ports": 22, "action": "accept"}]}}})";

constexpr const char* kBrokenPolicy = R"({"chains": {"input": {"policy": "drop", "rules": [
  {"id": "ssh", "protocol": "tcp", "ports": 22, "action": "accept"},
  {"id": "ssh-again", "protocol": "tcp", "ports": 22, "action": "drop"},
  {"id": "bad-port", "protocol": "tcp", "ports": 70000, "action": "accept"}]}}})";

TEST_P(SentinelctlFirewallTest, ValidateNamesEveryProblemOffline) {
  const std::string good = write("good.json", kWebPolicy);
  const CommandOutput ok = ctl({"firewall", "validate", good});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, good + ": ok\n");

  const std::string broken = write("broken.json", kBrokenPolicy);
  const CommandOutput refused = ctl({"firewall", "validate", broken});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.out, HasSubstr("rule 'bad-port' (chains.input.rules[2].ports)"));
  EXPECT_THAT(refused.out, HasSubstr("rule 'ssh-again'"));
  const CommandOutput as_json = ctl({"--output", "json", "firewall", "validate", broken});
  EXPECT_EQ(as_json.exit_code, 1);
  EXPECT_EQ(parse(as_json).at("problems").as_array().size(), 2u) << as_json.out;

  const CommandOutput missing = ctl({"firewall", "validate", (dir_.path() / "none").string()});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
}

TEST_P(SentinelctlFirewallTest, APolicyIsCreatedVersionedPreviewedAndRolledBack) {
  const CommandOutput created =
      ctl({"--output", "json", "firewall", "policy", "create", "--name", "web", "--file",
           write("web.json", kWebPolicy), "--comment", "first"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string id = std::to_string(parse(created).at("id").as_int64());

  const CommandOutput updated =
      ctl({"firewall", "policy", "update", id, "--file", write("noweb.json", kNoWebPolicy),
           "--comment", "web moved", "--base-version", "1"});
  ASSERT_EQ(updated.exit_code, 0) << updated.err;
  const CommandOutput stale = ctl({"firewall", "policy", "update", id, "--file",
                                   write("again.json", kWebPolicy), "--base-version", "1"});
  EXPECT_EQ(stale.exit_code, 1) << "a save on a stale version is refused";
  EXPECT_THAT(stale.err, HasSubstr("version_conflict"));

  const CommandOutput listed = ctl({"firewall", "policy", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("web"));
  const CommandOutput versions = ctl({"firewall", "policy", "versions", id});
  EXPECT_THAT(versions.out, HasSubstr("web moved"));
  EXPECT_THAT(versions.out, HasSubstr("first"));

  const CommandOutput diff =
      ctl({"--output", "json", "firewall", "policy", "diff", id, "--to", "2"});
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_THAT(diff.out, HasSubstr("\"web\"")) << "the removed rule is in the diff";

  const CommandOutput preview = ctl({"firewall", "policy", "preview", id});
  ASSERT_EQ(preview.exit_code, 0) << preview.err;
  EXPECT_THAT(preview.out, HasSubstr("table inet sentinel"));
  EXPECT_THAT(preview.out, HasSubstr("dport 22"));
  EXPECT_THAT(preview.out, Not(HasSubstr("443")));

  const CommandOutput rolled = ctl({"firewall", "policy", "rollback", id, "--to", "1"});
  ASSERT_EQ(rolled.exit_code, 0) << rolled.err;
  const CommandOutput after = ctl({"firewall", "policy", "preview", id});
  EXPECT_THAT(after.out, HasSubstr("443")) << "version 3 holds version 1's document";

  const CommandOutput assigned = ctl({"firewall", "policy", "assign", id, "--group", "web"});
  ASSERT_EQ(assigned.exit_code, 0) << assigned.err;
  EXPECT_THAT(assigned.out, HasSubstr("web"));

  const CommandOutput refused = ctl({"firewall", "policy", "create", "--name", "broken", "--file",
                                     write("broken.json", kBrokenPolicy)});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("firewall validate"));
}

TEST_P(SentinelctlFirewallTest, BlocksAreListedLiftedAndTheAllowListWins) {
  const CommandOutput blocked = ctl({"--output", "json", "firewall", "block", "203.0.113.9",
                                     "--duration", "10m", "--reason", "seen scanning"});
  ASSERT_EQ(blocked.exit_code, 0) << blocked.err;
  const json::value block = parse(blocked);
  EXPECT_EQ(block.at("duration_s").as_int64(), 600);
  const std::string id = std::to_string(block.at("id").as_int64());

  const CommandOutput listed = ctl({"firewall", "blocks"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("203.0.113.9"));
  EXPECT_THAT(listed.out, HasSubstr("seen scanning"));

  const CommandOutput lifted = ctl({"firewall", "unblock", id});
  ASSERT_EQ(lifted.exit_code, 0) << lifted.err;
  EXPECT_THAT(ctl({"firewall", "blocks"}).out, Not(HasSubstr("203.0.113.9")));
  EXPECT_THAT(ctl({"firewall", "blocks", "--all"}).out, HasSubstr("203.0.113.9"));

  const CommandOutput loopback = ctl({"firewall", "block", "127.0.0.1", "--duration", "1h"});
  EXPECT_EQ(loopback.exit_code, 1);
  EXPECT_THAT(loopback.err, HasSubstr("allow"));

  const CommandOutput allowed =
      ctl({"firewall", "allow-list", "add", "198.51.100.0/24", "--comment", "partner"});
  ASSERT_EQ(allowed.exit_code, 0) << allowed.err;
  const CommandOutput protected_block =
      ctl({"firewall", "block", "198.51.100.20", "--duration", "1h"});
  EXPECT_EQ(protected_block.exit_code, 1);
  EXPECT_THAT(protected_block.err, HasSubstr("198.51.100.0/24"));

  const CommandOutput too_long = ctl({"firewall", "block", "203.0.113.10", "--duration", "8d"});
  EXPECT_EQ(too_long.exit_code, 2);
  EXPECT_THAT(too_long.err, HasSubstr("--duration"));
}

SENTINEL_BOTH_BACKENDS(SentinelctlFirewallTest);

}  // namespace
}  // namespace sentinel::test
