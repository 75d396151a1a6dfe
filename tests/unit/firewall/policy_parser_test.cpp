// The strict policy parser: every problem of a bad document, each at its JSON path and naming
// its rule; the shapes a good document may take; the canonical JSON round trip.

#include "sentinel/firewall/policy_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "tests/unit/firewall/policy_test_support.h"

namespace sentinel::firewall {
namespace {

using test::describe;
using test::find_problem;
using test::parse_valid;
using ::testing::HasSubstr;

constexpr const char* kBadDocument = R"({
  "objects": {
    "address_sets": {
      "admins": {"addresses": ["10.0.0.0/24", "10.0.0.1/8", "2001:db8::/129", "::ffff:1.2.3.4"]},
      "9bad": {"addresses": ["10.0.0.0/8"]},
      "feedy": {"feed": "abuse-ch", "addresses": ["10.0.0.0/8"]}
    },
    "port_sets": {"web": {"ports": [80, 0, "90-80", "x-y", 70000, 8.5]}},
    "services": {"ssh": {"tcp": [22], "sctp": [1]}}
  },
  "chains": {
    "input": {"policy": "reject", "rules": [
      {"id": "ok", "action": "accept"},
      {"id": "r1", "protocol": "tcp", "ports": [22], "action": "accept", "colour": "red"},
      {"id": "r2", "source": {"not": ["fe80::1%eth0"]}, "action": "log",
       "log": {"rate": "10/fortnight", "prefix": "bad\"quote"}},
      {"id": "r3", "protocol": "icmp", "icmp_types": [256], "action": "drop", "out_interface": "eth0"},
      {"id": "r 4", "action": "drop", "comment": "line\nbreak", "enabled": "yes"},
      {"id": "r5", "ports": [22], "action": "accept"},
      {"id": "r6", "service": "ssh", "protocol": "tcp", "action": "accept"},
      {"id": "r7", "action": "log"},
      {"id": "r8", "action": "drop", "log": {"rate": "1/second"}, "in_interface": "a/b"}
    ]},
    "sideways": {}
  }
})";

struct Expected {
  std::string code;
  std::string path;
  std::string rule_id;  // "" when the problem concerns no rule or an unreadable id
  std::string message_part;
};

TEST(FirewallPolicyParser, ReportsEveryProblemWithItsPathAndRule) {
  const PolicyParse parsed = parse_policy(kBadDocument);
  const std::vector<Expected> expected = {
      {"invalid_address", "objects.address_sets.admins.addresses[1]", "",
       "host bits set; the network is 10.0.0.0/8"},
      {"invalid_address", "objects.address_sets.admins.addresses[2]", "",
       "prefix length must be 0-128"},
      {"invalid_address", "objects.address_sets.admins.addresses[3]", "",
       "write the IPv4 address 1.2.3.4"},
      {"invalid_name", "objects.address_sets.9bad", "", "not a valid object name"},
      {"missing_key", "objects.address_sets.feedy", "", "either \"addresses\" or \"feed\""},
      {"out_of_range", "objects.port_sets.web.ports[1]", "", "a port must be 1-65535, got 0"},
      {"invalid_port", "objects.port_sets.web.ports[2]", "", "low port is above its high port"},
      {"invalid_port", "objects.port_sets.web.ports[3]", "", "'x-y' is not a port"},
      {"out_of_range", "objects.port_sets.web.ports[4]", "", "got 70000"},
      {"wrong_type", "objects.port_sets.web.ports[5]", "", "got a floating-point number"},
      {"unknown_key", "objects.services.ssh.sctp", "", "unknown key 'sctp'"},
      {"invalid_value", "chains.input.policy", "", "'reject' is not a chain policy"},
      {"unknown_key", "chains.input.rules[1].colour", "r1", "unknown key 'colour'"},
      {"invalid_address", "chains.input.rules[2].source.not[0]", "r2", "zone ids"},
      {"invalid_rate", "chains.input.rules[2].log.rate", "r2", "'10/fortnight' is not a rate"},
      {"invalid_prefix", "chains.input.rules[2].log.prefix", "r2", "may not contain '\"'"},
      {"out_of_range", "chains.input.rules[3].icmp_types[0]", "r3", "an ICMP type must be 0-255"},
      {"invalid_for_chain", "chains.input.rules[3].out_interface", "r3", "no output interface"},
      {"invalid_id", "chains.input.rules[4].id", "", "'r 4' is not a valid rule id"},
      {"invalid_text", "chains.input.rules[4].comment", "", "control characters"},
      {"wrong_type", "chains.input.rules[4].enabled", "", "expected true or false, got a string"},
      {"missing_protocol", "chains.input.rules[5].ports", "r5", "ports need \"protocol\""},
      {"conflicting_keys", "chains.input.rules[6].service", "r6",
       "either \"service\" or \"protocol\""},
      {"missing_key", "chains.input.rules[7]", "r7", "a log rule needs \"log\""},
      {"invalid_for_action", "chains.input.rules[8].log", "r8", "belongs to action \"log\" only"},
      {"invalid_interface", "chains.input.rules[8].in_interface", "r8",
       "'a/b' is not an interface name"},
      {"unknown_key", "chains.sideways", "", "expected one of: input, output, forward"},
  };
  for (const Expected& want : expected) {
    const auto found = find_problem(parsed.problems, want.code, want.path);
    ASSERT_TRUE(found) << "missing " << want.code << " at " << want.path << "\n"
                       << describe(parsed.problems);
    EXPECT_EQ(found->severity, Severity::kError) << want.path;
    EXPECT_THAT(found->message, HasSubstr(want.message_part)) << want.path;
    EXPECT_EQ(found->rule_id, want.rule_id) << want.path;
    if (want.path.starts_with("chains.input.rules[")) {
      ASSERT_TRUE(found->rule_index.has_value()) << want.path;
      EXPECT_EQ(*found->rule_index, static_cast<std::size_t>(want.path[19] - '0')) << want.path;
    }
  }
  EXPECT_EQ(parsed.problems.size(), expected.size()) << describe(parsed.problems);
  EXPECT_FALSE(parsed.ok());
  // Only the faultless rule is kept, with its position.
  ASSERT_EQ(parsed.document.chain(ChainKind::kInput).rules.size(), 1u);
  EXPECT_EQ(parsed.document.chain(ChainKind::kInput).rules[0].id, "ok");
  EXPECT_EQ(parsed.document.chain(ChainKind::kInput).rules[0].index, 0u);
}

TEST(FirewallPolicyParser, ReportsTheLineAndColumnOfASyntaxError) {
  const PolicyParse parsed =
      parse_policy("{\n  \"chains\": {\n    \"input\": {\"policy\": drop}\n}}");
  ASSERT_EQ(parsed.problems.size(), 1u) << describe(parsed.problems);
  EXPECT_EQ(parsed.problems[0].code, "json_syntax");
  EXPECT_THAT(parsed.problems[0].message, HasSubstr("line 3, column 25"));
}

TEST(FirewallPolicyParser, RefusesDuplicateKeysThatJsonLibrariesWouldMerge) {
  const PolicyParse parsed = parse_policy(R"({"chains": {"input": {"policy": "accept",
      "rules": [{"id": "a", "action": "accept", "action": "drop"}]}}})");
  ASSERT_EQ(parsed.problems.size(), 1u) << describe(parsed.problems);
  EXPECT_EQ(parsed.problems[0].code, "duplicate_key");
  EXPECT_EQ(parsed.problems[0].path, "chains.input.rules[0].action");
}

TEST(FirewallPolicyParser, NeedsChainsAndAnObjectAtTheTop) {
  EXPECT_TRUE(find_problem(parse_policy("{}").problems, "missing_key", ""));
  EXPECT_TRUE(find_problem(parse_policy("[]").problems, "wrong_type", ""));
  EXPECT_TRUE(find_problem(parse_policy(R"({"format": 2, "chains": {}})").problems, "out_of_range",
                           "format"));
  EXPECT_TRUE(find_problem(parse_policy(R"({"chains": {"input": {}}})").problems, "missing_key",
                           "chains.input"));
}

TEST(FirewallPolicyParser, RefusesOversizedDocumentsAndLists) {
  const std::string huge(kMaxPolicyBytes + 1, ' ');
  EXPECT_TRUE(find_problem(parse_policy(huge).problems, "too_large", ""));

  std::string many = R"({"objects": {"port_sets": {"p": {"ports": [)";
  for (std::size_t i = 0; i <= kMaxSetEntries; ++i) {
    if (i > 0) many += ',';
    many += std::to_string(i % 60000 + 1);
  }
  many += R"(]}}}, "chains": {}})";
  const auto problem =
      find_problem(parse_policy(many).problems, "too_many", "objects.port_sets.p.ports");
  ASSERT_TRUE(problem);
  EXPECT_THAT(problem->message, HasSubstr("use a feed"));
}

TEST(FirewallPolicyParser, ReadsEveryShapeOfAGoodDocument) {
  const PolicyDocument document = parse_valid(R"({
    "format": 1,
    "description": "Web servers — office access",
    "objects": {
      "address_sets": {
        "office": {"addresses": ["192.0.2.0/24", "2001:db8:1::/48", "198.51.100.7"]},
        "bad": {"feed": "feodo"}
      },
      "port_sets": {"web": {"ports": [80, "443", "8000-8080"]}},
      "services": {"dns": {"tcp": 53, "udp": [53]}, "pings": {"icmp": "any", "icmpv6": [128, 129]}}
    },
    "chains": {
      "input": {"policy": "drop", "rules": [
        {"id": "a", "source": "office", "destination": ["192.0.2.1", "web-hosts-not-a-set"],
         "protocol": ["tcp", "udp"], "ports": ["web", 22], "action": "accept"},
        {"id": "b", "source": {"not": "bad"}, "service": ["dns", "pings"], "in_interface": "eth*",
         "action": "log", "log": {"rate": "5/second", "prefix": "fw: "}, "enabled": false,
         "comment": "DNS and pings"}
      ]},
      "forward": {"policy": "accept", "rules": [
        {"id": "c", "in_interface": "br0", "out_interface": "wg0", "action": "reject"}
      ]}
    }
  })");
  EXPECT_EQ(document.description, "Web servers — office access");
  ASSERT_EQ(document.address_sets.size(), 2u);
  EXPECT_EQ(document.address_sets[0].networks.size(), 3u);
  EXPECT_EQ(format_ip_network(document.address_sets[0].networks[2]), "198.51.100.7");
  EXPECT_EQ(document.address_sets[1].feed, "feodo");
  ASSERT_EQ(document.port_sets.size(), 1u);
  EXPECT_EQ(document.port_sets[0].ports[1].range.low, 443);
  EXPECT_EQ(document.port_sets[0].ports[2].range.high, 8080);
  const Service* dns = document.find_service("dns");
  ASSERT_NE(dns, nullptr);
  ASSERT_TRUE(dns->tcp);
  EXPECT_EQ(dns->tcp->items[0].range.low, 53);
  EXPECT_TRUE(document.find_service("pings")->icmp->any);

  const Chain& input = document.chain(ChainKind::kInput);
  EXPECT_EQ(input.policy, DefaultPolicy::kDrop);
  ASSERT_EQ(input.rules.size(), 2u);
  const Rule& a = input.rules[0];
  EXPECT_EQ(a.source->items[0].object, "office");
  EXPECT_EQ(a.destination->items[1].object, "web-hosts-not-a-set");  // resolved by the validator
  EXPECT_EQ(a.protocols, (std::vector<Protocol>{Protocol::kTcp, Protocol::kUdp}));
  EXPECT_EQ(a.ports[0].set, "web");
  EXPECT_EQ(a.ports[1].range.low, 22);
  const Rule& b = input.rules[1];
  EXPECT_TRUE(b.source->negated);
  EXPECT_EQ(b.services, (std::vector<std::string>{"dns", "pings"}));
  EXPECT_EQ(b.in_interface.name, "eth");
  EXPECT_TRUE(b.in_interface.prefix);
  EXPECT_FALSE(b.enabled);
  ASSERT_TRUE(b.log);
  EXPECT_EQ(b.log->count, 5u);
  EXPECT_EQ(b.log->unit, RateUnit::kSecond);
  EXPECT_EQ(b.log->prefix, "fw: ");
  // Chains left out accept everything.
  EXPECT_EQ(document.chain(ChainKind::kOutput).policy, DefaultPolicy::kAccept);
  EXPECT_EQ(document.chain(ChainKind::kForward).rules[0].out_interface.name, "wg0");
}

TEST(FirewallPolicyParser, WarnsAboutRedundantEntriesButKeepsThem) {
  const PolicyParse parsed = parse_policy(R"({
    "objects": {"address_sets": {"nets": {"addresses": ["10.0.0.0/8", "10.1.0.0/16", "10.0.0.0/8"]}},
                "port_sets": {"p": {"ports": ["80-90", "85-100"]}}},
    "chains": {}})");
  EXPECT_TRUE(parsed.ok()) << describe(parsed.problems);
  const auto covered =
      find_problem(parsed.problems, "redundant_entry", "objects.address_sets.nets.addresses[1]");
  ASSERT_TRUE(covered) << describe(parsed.problems);
  EXPECT_EQ(covered->severity, Severity::kWarning);
  EXPECT_THAT(covered->message, HasSubstr("'10.1.0.0/16' is already covered by '10.0.0.0/8'"));
  const auto twice =
      find_problem(parsed.problems, "redundant_entry", "objects.address_sets.nets.addresses[2]");
  ASSERT_TRUE(twice);
  EXPECT_THAT(twice->message, HasSubstr("listed twice"));
  const auto overlap =
      find_problem(parsed.problems, "redundant_entry", "objects.port_sets.p.ports[1]");
  ASSERT_TRUE(overlap);
  EXPECT_THAT(overlap->message, HasSubstr("'85-100' overlaps '80-90'"));
}

TEST(FirewallPolicyParser, RefusesTextThatCouldBreakOutOfItsLine) {
  for (const char* comment :
       {R"("a\u2028b")", R"("\u202eevil")", R"("tab\there")", R"("\u0085")"}) {
    const std::string json = std::string(R"({"chains": {"input": {"policy": "accept", "rules": [
        {"id": "x", "action": "accept", "comment": )") +
                             comment + "}]}}}";
    EXPECT_TRUE(
        find_problem(parse_policy(json).problems, "invalid_text", "chains.input.rules[0].comment"))
        << comment;
  }
  for (const char* prefix : {R"("$var")", R"("back\\slash")", R"("caf\u00e9")", R"("a\nb")"}) {
    const std::string json = std::string(R"({"chains": {"input": {"policy": "accept", "rules": [
        {"id": "x", "action": "log", "log": {"rate": "1/minute", "prefix": )") +
                             prefix + "}}]}}}";
    EXPECT_TRUE(find_problem(parse_policy(json).problems, "invalid_prefix",
                             "chains.input.rules[0].log.prefix"))
        << prefix;
  }
}

TEST(FirewallPolicyParser, CanonicalJsonParsesBackToTheSameDocument) {
  const PolicyDocument document = parse_valid(R"({
    "objects": {"address_sets": {"o": {"addresses": ["2001:DB8:0:0::/64", "10.0.0.1/32"]}, "f": {"feed": "x"}},
                "port_sets": {"p": {"ports": [1, "2-3"]}},
                "services": {"s": {"tcp": "any", "icmpv6": [1]}}},
    "chains": {"output": {"policy": "drop", "rules": [
      {"id": "r", "enabled": false, "comment": "c", "source": {"not": ["o", "f"]},
       "destination": "10.0.0.0/8", "protocol": "udp", "ports": ["p", 9], "out_interface": "e*",
       "action": "log", "log": {"rate": "3/hour"}},
      {"id": "s", "service": "s", "action": "reject"}]}}})");
  const std::string canonical = boost::json::serialize(to_json(document));
  EXPECT_THAT(canonical, HasSubstr(R"("addresses":["2001:db8::/64","10.0.0.1"])"));
  const PolicyDocument again = parse_valid(canonical);
  EXPECT_EQ(again, document);
  EXPECT_EQ(boost::json::serialize(to_json(again)), canonical);
}

}  // namespace
}  // namespace sentinel::firewall
