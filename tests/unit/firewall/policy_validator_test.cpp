// The validator: references, duplicate ids, rules that match nothing, shadowed rules,
// contradictory overlaps and the cut-off check, each problem naming its rule.

#include "sentinel/firewall/policy_validator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "tests/unit/firewall/policy_test_support.h"

namespace sentinel::firewall {
namespace {

using test::describe;
using test::find_problem;
using test::parse_valid;
using test::with_code;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A document with one input chain (policy accept) made of `rules` (a JSON array body).
std::string input_rules(std::string_view rules, std::string_view objects = "{}") {
  return std::string(R"({"objects": )") + std::string(objects) +
         R"(, "chains": {"input": {"policy": "accept", "rules": [)" + std::string(rules) + "]}}}";
}

std::vector<Problem> problems_of(std::string_view json, const ValidationContext& context = {}) {
  return validate(parse_valid(json), context);
}

IpAddress address(std::string_view text) { return *parse_ip_address(text); }

TEST(FirewallValidator, NamesUnknownObjectsAndObjectsOfTheWrongKind) {
  const auto problems = problems_of(input_rules(
      R"({"id": "a", "source": "nowhere", "action": "accept"},
         {"id": "b", "destination": "web", "action": "accept"},
         {"id": "c", "protocol": "tcp", "ports": ["office"], "action": "accept"},
         {"id": "d", "service": "missing", "action": "accept"})",
      R"({"address_sets": {"office": {"addresses": ["192.0.2.0/24"]}},
          "port_sets": {"web": {"ports": [80]}}})"));
  const auto a = find_problem(problems, "unknown_object", "chains.input.rules[0].source");
  ASSERT_TRUE(a) << describe(problems);
  EXPECT_EQ(a->rule_id, "a");
  EXPECT_EQ(a->rule_index, 0u);
  EXPECT_EQ(a->message, "rule \"a\": no address set is named 'nowhere'");
  const auto b = find_problem(problems, "unknown_object", "chains.input.rules[1].destination");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->message, "rule \"b\": 'web' is a port set, not an address set");
  const auto c = find_problem(problems, "unknown_object", "chains.input.rules[2].ports");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->message, "rule \"c\": 'office' is an address set, not a port set");
  const auto d = find_problem(problems, "unknown_object", "chains.input.rules[3].service");
  ASSERT_TRUE(d);
  EXPECT_THAT(d->message, HasSubstr("no service is named 'missing'"));
}

TEST(FirewallValidator, RefusesDuplicateRuleIdsAcrossChains) {
  const auto problems = problems_of(R"({"chains": {
      "input": {"policy": "accept", "rules": [{"id": "same", "action": "accept"}]},
      "output": {"policy": "accept", "rules": [{"id": "other", "action": "accept"},
                                                {"id": "same", "action": "drop"}]}}})");
  const auto duplicate = find_problem(problems, "duplicate_id", "chains.output.rules[1].id");
  ASSERT_TRUE(duplicate) << describe(problems);
  EXPECT_EQ(duplicate->severity, Severity::kError);
  EXPECT_EQ(duplicate->rule_id, "same");
  EXPECT_THAT(duplicate->message, HasSubstr("already used by chains.input.rules[0]"));
  EXPECT_EQ(with_code(problems, "duplicate_id").size(), 1u);
}

TEST(FirewallValidator, WarnsAboutUnusedObjects) {
  const auto problems =
      problems_of(input_rules(R"({"id": "a", "service": "web", "action": "accept"})",
                              R"({"address_sets": {"spare": {"addresses": ["192.0.2.0/24"]}},
          "port_sets": {"webports": {"ports": [80]}, "idle": {"ports": [1]}},
          "services": {"web": {"tcp": ["webports"]}}})"));
  EXPECT_TRUE(find_problem(problems, "unused_object", "objects.address_sets.spare"));
  EXPECT_TRUE(find_problem(problems, "unused_object", "objects.port_sets.idle"));
  EXPECT_FALSE(find_problem(problems, "unused_object", "objects.port_sets.webports"));
  EXPECT_FALSE(find_problem(problems, "unused_object", "objects.services.web"));
}

TEST(FirewallValidator, RefusesRulesThatMatchNothing) {
  const auto problems = problems_of(input_rules(
      R"({"id": "cross", "source": "10.0.0.0/8", "destination": "2001:db8::/32", "action": "accept"},
         {"id": "icmp6-from-v4", "source": "10.0.0.0/8", "protocol": "icmpv6", "action": "accept"},
         {"id": "not-all", "source": {"not": ["0.0.0.0/0", "::/0"]}, "action": "accept"},
         {"id": "fine", "source": ["10.0.0.0/8", "2001:db8::/32"], "destination": "2001:db8::1",
          "action": "accept"})"));
  for (const char* path :
       {"chains.input.rules[0]", "chains.input.rules[1]", "chains.input.rules[2]"}) {
    const auto problem = find_problem(problems, "matches_nothing", path);
    ASSERT_TRUE(problem) << path << "\n" << describe(problems);
    EXPECT_EQ(problem->severity, Severity::kError);
    EXPECT_THAT(problem->message, HasSubstr("rule \"" + problem->rule_id + "\" matches no packet"));
  }
  EXPECT_EQ(with_code(problems, "matches_nothing").size(), 3u) << describe(problems);
}

TEST(FirewallValidator, ShadowedRuleWithTheSameActionIsAWarning) {
  const auto problems = problems_of(input_rules(
      R"({"id": "admins-all", "source": "10.0.0.0/8", "protocol": "tcp", "ports": "20-30", "action": "accept"},
         {"id": "admins-ssh", "source": "10.1.0.0/16", "protocol": "tcp", "ports": 22, "action": "accept"})"));
  const auto shadowed = find_problem(problems, "shadowed", "chains.input.rules[1]");
  ASSERT_TRUE(shadowed) << describe(problems);
  EXPECT_EQ(shadowed->severity, Severity::kWarning);
  EXPECT_EQ(shadowed->rule_id, "admins-ssh");
  EXPECT_EQ(shadowed->message,
            "rule \"admins-ssh\" never matches: the earlier rule \"admins-all\" (rules[0]) already "
            "accepts every packet it would");
}

TEST(FirewallValidator, ShadowedRuleWithAnotherActionIsAnError) {
  const auto problems = problems_of(input_rules(
      R"({"id": "web", "service": "web", "action": "accept"},
         {"id": "block-443", "source": ["192.0.2.0/24", "2001:db8::/32"], "protocol": "tcp",
          "ports": 443, "action": "drop"})",
      R"({"services": {"web": {"tcp": [80, 443]}}})"));
  const auto shadowed = find_problem(problems, "shadowed", "chains.input.rules[1]");
  ASSERT_TRUE(shadowed) << describe(problems);
  EXPECT_EQ(shadowed->severity, Severity::kError);
  EXPECT_EQ(shadowed->message,
            "rule \"block-443\" never matches: the earlier rule \"web\" (rules[0]) accepts every "
            "packet it would drop");
}

TEST(FirewallValidator, ShadowingIsComputedOnNormalisedMatches) {
  // Two /25s are one /24; a port set and inline ports are the same intervals; an interface
  // prefix covers the names it starts.
  const auto problems = problems_of(input_rules(
      R"({"id": "halves", "source": ["10.0.0.0/25", "10.0.0.128/25"], "protocol": "udp",
          "ports": ["low", "100-200"], "in_interface": "eth*", "action": "drop"},
         {"id": "inside", "source": "10.0.0.7", "protocol": "udp", "ports": ["50-60", 150],
          "in_interface": "eth1", "action": "drop"},
         {"id": "other-iface", "source": "10.0.0.7", "protocol": "udp", "ports": 50,
          "in_interface": "wlan0", "action": "drop"},
         {"id": "any-iface", "source": "10.0.0.7", "protocol": "udp", "ports": 50, "action": "drop"})",
      R"({"port_sets": {"low": {"ports": ["1-99"]}}})"));
  EXPECT_TRUE(find_problem(problems, "shadowed", "chains.input.rules[1]")) << describe(problems);
  EXPECT_FALSE(find_problem(problems, "shadowed", "chains.input.rules[2]")) << describe(problems);
  EXPECT_FALSE(find_problem(problems, "shadowed", "chains.input.rules[3]")) << describe(problems);
}

TEST(FirewallValidator, IPv6PartKeepsARuleAlive) {
  const auto problems = problems_of(input_rules(
      R"({"id": "v4-only", "source": "0.0.0.0/0", "action": "drop"},
         {"id": "dual", "source": ["10.0.0.0/8", "2001:db8::/32"], "action": "accept"},
         {"id": "v4-again", "source": "10.9.0.0/16", "action": "accept"})"));
  EXPECT_FALSE(find_problem(problems, "shadowed", "chains.input.rules[1]")) << describe(problems);
  const auto shadowed = find_problem(problems, "shadowed", "chains.input.rules[2]");
  ASSERT_TRUE(shadowed) << describe(problems);
  EXPECT_THAT(shadowed->message,
              HasSubstr("\"v4-only\" (rules[0]) drops every packet it would accept"));
}

TEST(FirewallValidator, LogAndDisabledRulesShadowNothing) {
  const auto problems = problems_of(input_rules(
      R"({"id": "log-all", "action": "log", "log": {"rate": "1/second"}},
         {"id": "off", "enabled": false, "action": "drop"},
         {"id": "ssh", "protocol": "tcp", "ports": 22, "action": "accept"},
         {"id": "log-ssh", "protocol": "tcp", "ports": 22, "action": "log", "log": {"rate": "1/second"}})"));
  EXPECT_FALSE(find_problem(problems, "shadowed", "chains.input.rules[2]")) << describe(problems);
  // A log rule behind a terminal rule never logs: that is worth an error.
  const auto log = find_problem(problems, "shadowed", "chains.input.rules[3]");
  ASSERT_TRUE(log) << describe(problems);
  EXPECT_EQ(log->severity, Severity::kError);
  EXPECT_THAT(log->message, HasSubstr("\"ssh\" (rules[2]) accepts every packet it would log"));
}

TEST(FirewallValidator, FeedsShadowOnlyWhatTheyCertainlyCover) {
  const std::string json = input_rules(
      R"({"id": "drop-bad", "source": "bad", "action": "drop"},
         {"id": "drop-bad-ssh", "source": "bad", "protocol": "tcp", "ports": 22, "action": "drop"},
         {"id": "accept-ten", "source": "10.0.0.0/8", "action": "accept"},
         {"id": "from-bad-again", "source": "bad", "protocol": "udp", "action": "accept"})",
      R"({"address_sets": {"bad": {"feed": "feodo"}}})");
  // Whatever the feed holds, the same feed covers itself.
  const auto unknown = problems_of(json);
  EXPECT_TRUE(find_problem(unknown, "shadowed", "chains.input.rules[1]")) << describe(unknown);
  EXPECT_TRUE(find_problem(unknown, "shadowed", "chains.input.rules[3]")) << describe(unknown);
  EXPECT_FALSE(find_problem(unknown, "shadowed", "chains.input.rules[2]")) << describe(unknown);

  // With the feed known to lie inside 10/8, a rule on it after accept-ten never fires... and
  // drop-bad now certainly overlaps accept-ten.
  ValidationContext context;
  context.feeds["feodo"] = {*parse_ip_network("10.66.0.0/16")};
  const std::string json2 = input_rules(
      R"({"id": "accept-ten", "source": "10.0.0.0/8", "action": "accept"},
         {"id": "drop-bad", "source": "bad", "action": "drop"})",
      R"({"address_sets": {"bad": {"feed": "feodo"}}})");
  EXPECT_FALSE(find_problem(problems_of(json2), "shadowed", "chains.input.rules[1]"));
  const auto known = problems_of(json2, context);
  const auto shadowed = find_problem(known, "shadowed", "chains.input.rules[1]");
  ASSERT_TRUE(shadowed) << describe(known);
  EXPECT_EQ(shadowed->severity, Severity::kError);
}

TEST(FirewallValidator, WarnsAboutContradictoryPartialOverlapsWithAnExample) {
  const auto problems = problems_of(input_rules(
      R"({"id": "drop-host", "source": "10.0.0.5", "action": "drop"},
         {"id": "ssh-lan", "source": "10.0.0.0/24", "protocol": "tcp", "ports": "22-40", "action": "accept"},
         {"id": "dns-lan", "source": "10.0.0.0/24", "protocol": "udp", "ports": 53, "action": "accept"},
         {"id": "no-ssh-v6", "source": "2001:db8::/32", "protocol": "tcp", "ports": 22, "action": "reject"})"));
  const auto ssh = find_problem(problems, "contradictory", "chains.input.rules[1]");
  ASSERT_TRUE(ssh) << describe(problems);
  EXPECT_EQ(ssh->severity, Severity::kWarning);
  EXPECT_EQ(ssh->rule_id, "ssh-lan");
  EXPECT_EQ(ssh->message,
            "rule \"ssh-lan\" (accept) overlaps in part with the earlier rule \"drop-host\" "
            "(rules[0], drop): packets matching both, e.g. tcp to port 22 from 10.0.0.5, are "
            "refused by \"drop-host\"");
  EXPECT_TRUE(find_problem(problems, "contradictory", "chains.input.rules[2]"));
  // Different families never overlap; two denying rules do not contradict each other.
  EXPECT_FALSE(find_problem(problems, "contradictory", "chains.input.rules[3]"))
      << describe(problems);
}

TEST(FirewallValidator, AnExceptionBeforeABroaderRuleIsNoContradiction) {
  const auto problems = problems_of(input_rules(
      R"({"id": "drop-host", "source": "10.0.0.5", "action": "drop"},
         {"id": "accept-lan", "source": "10.0.0.0/8", "action": "accept"})"));
  EXPECT_THAT(problems, IsEmpty()) << describe(problems);
}

std::string output_policy(std::string_view policy, std::string_view rules) {
  return std::string(R"({"chains": {"input": {"policy": "drop"}, "output": {"policy": ")") +
         std::string(policy) + R"(", "rules": [)" + std::string(rules) + "]}}}";
}

ValidationContext server_at(std::string_view address_text, std::uint16_t port) {
  ValidationContext context;
  context.endpoints.push_back({address(address_text), port, Protocol::kTcp});
  return context;
}

TEST(FirewallValidator, RefusesAPolicyWhoseOutputDefaultCutsTheAgentOff) {
  const auto problems = problems_of(output_policy("drop", ""), server_at("192.0.2.10", 8443));
  const auto cut = find_problem(problems, "cut_off", "chains.output.policy");
  ASSERT_TRUE(cut) << describe(problems);
  EXPECT_EQ(cut->severity, Severity::kError);
  EXPECT_EQ(
      cut->message,
      "would cut the agent off from the server at 192.0.2.10:8443 (output default policy drop)");
  EXPECT_EQ(with_code(problems, "cut_off").size(), 1u)
      << "input drop does not matter: replies are established";
}

TEST(FirewallValidator, NamesTheRuleThatCutsTheAgentOff) {
  const auto problems = problems_of(
      output_policy("accept", R"({"id": "dns", "protocol": "udp", "ports": 53, "action": "accept"},
                                 {"id": "block-dc", "destination": "192.0.2.0/24", "action": "reject"})"),
      server_at("192.0.2.10", 8443));
  const auto cut = find_problem(problems, "cut_off", "chains.output.rules[1]");
  ASSERT_TRUE(cut) << describe(problems);
  EXPECT_EQ(cut->rule_id, "block-dc");
  EXPECT_EQ(cut->rule_index, 1u);
  EXPECT_EQ(cut->message,
            "would cut the agent off from the server at 192.0.2.10:8443 (rule \"block-dc\" in "
            "output rejects the connection)");
}

TEST(FirewallValidator, ForceTurnsTheCutOffIntoAWarning) {
  ValidationContext context = server_at("2001:db8::10", 443);
  context.force = true;
  const auto problems = problems_of(output_policy("drop", ""), context);
  const auto cut = find_problem(problems, "cut_off", "chains.output.policy");
  ASSERT_TRUE(cut) << describe(problems);
  EXPECT_EQ(cut->severity, Severity::kWarning);
  EXPECT_THAT(cut->message, HasSubstr("at [2001:db8::10]:443"));
  EXPECT_THAT(cut->message, HasSubstr("allowed because the push is forced"));
  EXPECT_FALSE(has_errors(problems));
}

TEST(FirewallValidator, AcceptsAPolicyThatKeepsTheServerReachable) {
  const auto problems = problems_of(
      output_policy("drop", R"({"id": "to-server", "destination": "192.0.2.10", "protocol": "tcp",
                                "ports": 8443, "action": "accept"})"),
      server_at("192.0.2.10", 8443));
  EXPECT_THAT(problems, IsEmpty()) << describe(problems);
  // Another port of the same server is not the channel.
  EXPECT_TRUE(find_problem(problems_of(output_policy("drop", R"({"id": "to-server",
      "destination": "192.0.2.10", "protocol": "tcp", "ports": 443, "action": "accept"})"),
                                       server_at("192.0.2.10", 8443)),
                           "cut_off", "chains.output.policy"));
}

TEST(FirewallValidator, TheAgentAddressDecidesRulesOnTheSource) {
  const std::string json = output_policy(
      "drop", R"({"id": "from-agent", "source": "10.0.0.5", "destination": "192.0.2.10",
                  "protocol": "tcp", "ports": 8443, "action": "accept"})");
  ValidationContext context = server_at("192.0.2.10", 8443);
  context.agent_address = address("10.0.0.5");
  EXPECT_THAT(problems_of(json, context), IsEmpty());

  context.agent_address = address("10.0.0.6");
  EXPECT_TRUE(find_problem(problems_of(json, context), "cut_off", "chains.output.policy"));

  context.agent_address.reset();
  const auto unsure = problems_of(json, context);
  const auto maybe = find_problem(unsure, "may_cut_off", "chains.output.policy");
  ASSERT_TRUE(maybe) << describe(unsure);
  EXPECT_EQ(maybe->severity, Severity::kWarning);
  EXPECT_THAT(maybe->message,
              HasSubstr("may cut the agent off from the server at 192.0.2.10:8443"));
}

TEST(FirewallValidator, AFeedThatMayHoldTheServerIsAWarning) {
  const std::string json = std::string(R"({"objects": {"address_sets": {"c2": {"feed": "c2"}}},
      "chains": {"output": {"policy": "accept", "rules": [
        {"id": "no-c2", "destination": "c2", "action": "drop"}]}}})");
  const auto problems = problems_of(json, server_at("192.0.2.10", 8443));
  const auto maybe = find_problem(problems, "may_cut_off", "chains.output.rules[0]");
  ASSERT_TRUE(maybe) << describe(problems);
  EXPECT_EQ(maybe->rule_id, "no-c2");
  EXPECT_THAT(maybe->message,
              HasSubstr("rule \"no-c2\" in output drops the connection if it matches"));
  ValidationContext known = server_at("192.0.2.10", 8443);
  known.feeds["c2"] = {*parse_ip_network("198.51.100.0/24")};
  EXPECT_THAT(problems_of(json, known), IsEmpty());
  known.feeds["c2"] = {*parse_ip_network("192.0.2.0/24")};
  EXPECT_TRUE(find_problem(problems_of(json, known), "cut_off", "chains.output.rules[0]"));
}

TEST(FirewallValidator, ALoopbackServerIsAlwaysReachable) {
  const auto problems =
      problems_of(R"({"chains": {"input": {"policy": "drop"}, "output": {"policy": "drop"}}})",
                  server_at("127.0.0.1", 8443));
  EXPECT_THAT(problems, IsEmpty()) << describe(problems);
}

TEST(FirewallValidator, CheckPolicyPutsParserProblemsFirstAndSkipsTheCutOffOnBrokenText) {
  const auto problems = check_policy(
      output_policy("drop", R"({"id": "to-server", "destination": "192.0.2.10", "protocol": "tcp",
                               "ports": 8443, "action": "accept", "typo": 1})"),
      server_at("192.0.2.10", 8443));
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems[0].code, "unknown_key");
  EXPECT_TRUE(with_code(problems, "cut_off").empty()) << describe(problems);
}

TEST(FirewallValidator, ProblemsBecomeJson) {
  const auto problems = problems_of(output_policy("drop", ""), server_at("192.0.2.10", 8443));
  EXPECT_EQ(
      boost::json::serialize(to_json(problems)),
      R"([{"severity":"error","code":"cut_off","path":"chains.output.policy","message":)"
      R"json("would cut the agent off from the server at 192.0.2.10:8443 (output default policy drop)"}])json");
}

// The largest chain allowed is analysed in full: no problem found and none invented (no
// analysis_truncated). How long it takes belongs in a benchmark, not here.
TEST(FirewallValidator, AnalysesTheLargestChainAllowedInFull) {
  std::string rules;
  for (int i = 0; i < static_cast<int>(kMaxRulesPerChain); ++i) {
    if (i > 0) rules += ',';
    rules += R"({"id": "r)" + std::to_string(i) + R"(", "source": "10.)" + std::to_string(i / 256) +
             "." + std::to_string(i % 256) + R"(.0/24", "protocol": "tcp", "ports": )" +
             std::to_string(1000 + i) + R"(, "action": ")" + (i % 2 ? "accept" : "drop") + "\"}";
  }
  const auto problems = problems_of(input_rules(rules));
  EXPECT_THAT(problems, IsEmpty()) << describe(problems).substr(0, 2000);
}

}  // namespace
}  // namespace sentinel::firewall
