// Active response: a rule's `response: block:` is parsed strictly, carried on its detections,
// and turned into a block of the attacking address on the attacked agent; the shipped SSH
// brute-force rule does this.

#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sentinel/detection/engine.h"
#include "sentinel/detection/rules.h"
#include "sentinel/firewall/active_response.h"
#include "tests/unit/firewall/block_test_support.h"

namespace sentinel::firewall::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

namespace fs = std::filesystem;

const fs::path kRepository = fs::path(SENTINEL_TEST_DATA) / ".." / "..";
constexpr const char* kBruteForceRule = "5b0c1c1e-3f6a-4e0b-9a51-2f0d6c1a7a03";

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

detection::RuleLoad load(const std::string& text) {
  return detection::load_rules({{"rules.yml", text}});
}

// A rule that fires on one failed login, with `response` appended.
std::string rule_with(const std::string& response) {
  return "title: Failed login\n"
         "id: failed-login\n"
         "logsource: {product: linux, service: sshd}\n"
         "detection:\n"
         "  selection:\n"
         "    event.outcome: failure\n"
         "  condition: selection\n" +
         response;
}

std::vector<std::string> problems(const detection::RuleLoad& loaded) {
  std::vector<std::string> out;
  for (const auto& file : loaded.files) {
    for (const auto& problem : file.problems) {
      out.push_back(std::to_string(problem.line) + ": " + problem.reason);
    }
  }
  return out;
}

detection::Event failed_login(std::int64_t id, const std::string& agent_id,
                              const std::string& address, std::int64_t time_ms) {
  detection::Event event;
  event.id = id;
  event.agent_id = agent_id;
  event.time_ms = time_ms;
  event.type = "log";
  event.fields = {{"event.module", "sshd"},
                  {"event.category", "authentication"},
                  {"event.outcome", "failure"},
                  {"source.ip", address},
                  {"user.name", "user-" + std::to_string(id)},
                  {"event.type", "log"},
                  {"agent.id", agent_id},
                  {"host.name", "web-1"}};
  return event;
}

TEST(BlockRuleResponse, IsCarriedOnEachDetectionWithTheAddressFromTheEvent) {
  const auto loaded = load(rule_with(
      "response:\n  block:\n    field: source.ip\n    duration: 10m\n    scope: group\n"));
  ASSERT_THAT(problems(loaded), IsEmpty());
  detection::Engine engine(loaded.rules);
  std::vector<detection::Detection> found;
  engine.evaluate(failed_login(1, "agt-1", "203.0.113.9", 1000), found);
  ASSERT_EQ(found.size(), 1u);
  ASSERT_TRUE(found[0].response.has_value());
  EXPECT_EQ(found[0].response->field, "source.ip");
  EXPECT_EQ(found[0].response->address, "203.0.113.9");
  EXPECT_EQ(found[0].response->duration_ms, 600 * 1000);
  EXPECT_EQ(found[0].response->scope, detection::ResponseScope::kGroup);
}

TEST(BlockRuleResponse, SigmaFieldNamesAreMappedAndTheScopeDefaultsToTheAgent) {
  const auto loaded =
      load(rule_with("response:\n  block:\n    field: SourceIp\n    duration: 30s\n"));
  ASSERT_THAT(problems(loaded), IsEmpty());
  detection::Engine engine(loaded.rules);
  std::vector<detection::Detection> found;
  engine.evaluate(failed_login(1, "agt-1", "198.51.100.3", 1000), found);
  ASSERT_EQ(found.size(), 1u);
  ASSERT_TRUE(found[0].response.has_value());
  EXPECT_EQ(found[0].response->field, "source.ip");
  EXPECT_EQ(found[0].response->address, "198.51.100.3");
  EXPECT_EQ(found[0].response->scope, detection::ResponseScope::kAgent);
}

TEST(BlockRuleResponse, ABadResponseIsAProblemOfTheRuleWithItsLine) {
  // Line 8 is `response:`, line 9 `block:`; the block's keys follow.
  EXPECT_THAT(problems(load(rule_with("response:\n  block:\n    field: source.ip\n"
                                      "    duration: 8d\n"))),
              ElementsAre(HasSubstr("11: response block duration '8d' is not a duration")));
  EXPECT_THAT(problems(load(rule_with("response:\n  block:\n    field: source.ip\n"
                                      "    duration: 10m\n    scope: planet\n"))),
              ElementsAre("12: unknown response block scope 'planet' (expected agent, group or "
                          "all)"));
  EXPECT_THAT(problems(load(rule_with("response:\n  block:\n    duration: 10m\n"))),
              ElementsAre(HasSubstr("10: response block needs a field")));
  EXPECT_THAT(problems(load(rule_with("response:\n  block:\n    field: source.ip\n"
                                      "    duration: 10m\n    for: ever\n"))),
              ElementsAre(HasSubstr("12: unknown response block key 'for'")));
  EXPECT_THAT(problems(load(rule_with("response:\n  quarantine: true\n"))),
              ElementsAre(HasSubstr("9: unknown response key 'quarantine'"),
                          HasSubstr("needs a block section")));
  EXPECT_THAT(problems(load(rule_with("response: block\n"))),
              ElementsAre(HasSubstr("8: response must be a map")));
  // The broken rule is left out, like any rule with a problem.
  EXPECT_THAT(load(rule_with("response: block\n")).rules->rules(), IsEmpty());
}

TEST(BlockRuleResponse, TheShippedBruteForceRuleBlocksOnTheAttackedAgentForTenMinutes) {
  const auto loaded = load(read_file(kRepository / "rules" / "default" / "ssh.yml"));
  ASSERT_THAT(problems(loaded), IsEmpty());
  detection::Engine engine(loaded.rules);
  std::vector<detection::Detection> found;
  for (int i = 1; i <= 5; ++i) {
    engine.evaluate(failed_login(i, "agt-1", "203.0.113.9", i * 1000), found);
  }
  const auto brute_force = std::find_if(found.begin(), found.end(),
                                        [](const auto& d) { return d.rule_id == kBruteForceRule; });
  ASSERT_NE(brute_force, found.end());
  ASSERT_TRUE(brute_force->response.has_value());
  EXPECT_EQ(brute_force->response->address, "203.0.113.9");
  EXPECT_EQ(brute_force->response->duration_ms, 600 * 1000);
  EXPECT_EQ(brute_force->response->scope, detection::ResponseScope::kAgent);
  for (const auto& other : found) {
    if (other.rule_id != kBruteForceRule) EXPECT_FALSE(other.response) << other.rule_id;
  }
}

class BlockActiveResponseTest : public BlockTest {
 protected:
  void SetUp() override {
    BlockTest::SetUp();
    if (HasFatalFailure()) return;
    response_ = ActiveResponse::create(*blocks_, *registry_);
    ASSERT_TRUE(response_->start());
  }
  void TearDown() override {
    if (response_) response_->stop();
    BlockTest::TearDown();
  }

  // The detections five failed logins from `address` on `agent_id` produce with the shipped
  // SSH rules.
  std::vector<detection::Detection> brute_force(const std::string& agent_id,
                                                const std::string& address) {
    const auto loaded = load(read_file(kRepository / "rules" / "default" / "ssh.yml"));
    EXPECT_THAT(problems(loaded), IsEmpty());
    detection::Engine engine(loaded.rules);
    std::vector<detection::Detection> found;
    for (int i = 1; i <= 5; ++i) {
      engine.evaluate(failed_login(i, agent_id, address, clock_.now_ms() + i), found);
    }
    return found;
  }

  std::unique_ptr<ActiveResponse> response_;
};

TEST_P(BlockActiveResponseTest, ABruteForceBlocksTheAttackerOnTheAttackedAgent) {
  const std::string attacked = agent("web-1", "web");
  const std::string bystander = agent("web-2", "web");
  const auto detections = brute_force(attacked, "203.0.113.9");
  ASSERT_GE(detections.size(), 2u) << "brute force and password spraying";
  std::int64_t alert_id = 40;
  for (const auto& detection : detections) EXPECT_TRUE(response_->submit(detection, ++alert_id));
  response_->flush();
  blocks_->flush();

  auto page = blocks_->list({});
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->items.size(), 1u) << "only the brute-force rule asks for a block";
  const Block& block = page->items[0];
  EXPECT_EQ(block.address, "203.0.113.9");
  EXPECT_EQ(block.scope, (BlockScope{BlockScopeKind::kAgent, attacked}));
  EXPECT_EQ(block.duration_s, 600);
  EXPECT_EQ(block.rule_id, kBruteForceRule);
  EXPECT_EQ(block.requested_by, std::string("rule:") + kBruteForceRule);
  ASSERT_TRUE(block.alert_id.has_value());
  EXPECT_GE(*block.alert_id, 41);
  EXPECT_THAT(block.reason, HasSubstr("SSH brute force from one address"));

  EXPECT_THAT(channel_.recipients("firewall_block"), ElementsAre(attacked));
  (void)bystander;
  EXPECT_THAT(audit_trail(), ElementsAre("firewall.block:success"));
  auth::AuditQuery query;
  query.action_prefix = "firewall.block";
  auto entries = audit_->list(query);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].record.actor, "system");
  EXPECT_THAT((*entries)[0].record.details_json, HasSubstr(kBruteForceRule));
}

TEST_P(BlockActiveResponseTest, ARepeatedBruteForceIsBlockedLonger) {
  const std::string attacked = agent("web-1", "web");
  for (const auto& detection : brute_force(attacked, "198.51.100.44")) {
    response_->submit(detection, 1);
  }
  clock_.advance_ms(20 * 60 * 1000);
  for (const auto& detection : brute_force(attacked, "198.51.100.44")) {
    response_->submit(detection, 2);
  }
  response_->flush();
  auto page = blocks_->list({});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].offence, 2);  // newest first
  EXPECT_EQ(page->items[0].duration_s, 1200);
  EXPECT_EQ(page->items[1].duration_s, 600);
}

TEST_P(BlockActiveResponseTest, AnAllowListedAttackerIsNeverBlocked) {
  const std::string attacked = agent("web-1", "web");
  ASSERT_TRUE(allow_list_->add(admin_, "192.0.2.0/24", "monitoring", client_));
  for (const auto& detection : brute_force(attacked, "192.0.2.15")) {
    response_->submit(detection, 7);
  }
  for (const auto& detection : brute_force(attacked, "127.0.0.1")) {
    response_->submit(detection, 8);
  }
  response_->flush();
  blocks_->flush();
  EXPECT_EQ(blocks_->list({})->total, 0);
  EXPECT_THAT(channel_.sent(), IsEmpty());
  EXPECT_THAT(audit_trail("firewall.block"),
              ElementsAre("firewall.block:denied", "firewall.block:denied"));
}

TEST_P(BlockActiveResponseTest, GroupScopeBlocksOnEveryAgentOfTheAttackedAgentsGroup) {
  const std::string web1 = agent("web-1", "web");
  const std::string web2 = agent("web-2", "web");
  agent("db-1", "db");
  const auto loaded = load(
      rule_with("response:\n  block:\n    field: source.ip\n    duration: 1h\n    scope: group\n"));
  ASSERT_THAT(problems(loaded), IsEmpty());
  detection::Engine engine(loaded.rules);
  std::vector<detection::Detection> found;
  engine.evaluate(failed_login(1, web1, "203.0.113.60", clock_.now_ms()), found);
  ASSERT_EQ(found.size(), 1u);
  ASSERT_TRUE(response_->submit(found[0], 3));
  response_->flush();
  blocks_->flush();
  std::vector<std::string> web = {web1, web2};
  std::sort(web.begin(), web.end());
  EXPECT_EQ(channel_.recipients("firewall_block"), web);
  auto page = blocks_->list({});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].scope, (BlockScope{BlockScopeKind::kGroup, "web"}));
  EXPECT_EQ(page->items[0].duration_s, 3600);
}

TEST_P(BlockActiveResponseTest, TheAddressComesFromTheEntityWhenTheEventLacksTheField) {
  const std::string web1 = agent("web-1", "web");
  detection::Detection detection;
  detection.rule_id = "custom";
  detection.rule_title = "Custom";
  detection.agent_id = web1;
  detection.entity = "user.name=root,source.ip=203.0.113.61";
  detection.summary = "Custom (user.name=root,source.ip=203.0.113.61)";
  detection.response =
      detection::BlockResponse{"source.ip", "", 60 * 1000, detection::ResponseScope::kAgent};
  ASSERT_TRUE(response_->submit(detection, 5));
  detection::Detection nothing = detection;
  nothing.entity = "user.name=root";
  ASSERT_TRUE(response_->submit(nothing, 6));
  response_->flush();
  auto page = blocks_->list({});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u) << "a detection without the address blocks nothing";
  EXPECT_EQ(page->items[0].address, "203.0.113.61");
  EXPECT_EQ(page->items[0].duration_s, 60);
}

INSTANTIATE_TEST_SUITE_P(Backends, BlockActiveResponseTest,
                         ::testing::ValuesIn(sentinel::test::kBackends),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::firewall::test
