// The nftables compiler: golden text for a small policy, determinism, family splitting,
// named limits, and that nothing from a document can start a new nft line.

#include "sentinel/firewall/nft_compiler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "tests/unit/firewall/firewall_sample_policy.h"
#include "tests/unit/firewall/policy_test_support.h"

namespace sentinel::firewall {
namespace {

using test::parse_valid;
using ::testing::HasSubstr;
using ::testing::Not;

std::string compiled(std::string_view json, const FeedContents& feeds = {}) {
  auto text = compile_nft(parse_valid(json), feeds);
  EXPECT_TRUE(text) << text.error().message;
  return text ? *text : std::string();
}

// The lines of a chain's rules after its fixed prologue.
std::vector<std::string> lines_with(const std::string& text, std::string_view needle) {
  std::vector<std::string> found;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) != std::string::npos) found.push_back(line);
  }
  return found;
}

constexpr const char* kSampleText = R"(table inet sentinel {}
delete table inet sentinel
table inet sentinel {
	set block_v4 {
		type ipv4_addr
		flags timeout
	}
	set block_v6 {
		type ipv6_addr
		flags timeout
	}
	set addr_admins_v4 {
		type ipv4_addr
		flags interval
		elements = { 10.0.0.0/24 }
	}
	set addr_admins_v6 {
		type ipv6_addr
		flags interval
		elements = { 2001:db8:1::/48 }
	}
	set addr_bad_v4 {
		type ipv4_addr
		flags interval
	}
	set addr_bad_v6 {
		type ipv6_addr
		flags interval
	}
	set port_web {
		type inet_service
		flags interval
		elements = { 80, 443, 8000-8080 }
	}
	limit log_input_6 {
		rate 10/minute
	}
	chain input {
		type filter hook input priority filter; policy drop;
		ip saddr @block_v4 drop
		ip6 saddr @block_v6 drop
		ct state established,related accept
		ct state invalid drop
		iif lo accept
		icmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } accept
		# Feodo tracker C2 list
		ip saddr @addr_bad_v4 drop comment "drop-bad"
		ip6 saddr @addr_bad_v6 drop comment "drop-bad"
		ip saddr @addr_admins_v4 tcp dport 22 accept comment "ssh-admins"
		ip6 saddr @addr_admins_v6 tcp dport 22 accept comment "ssh-admins"
		tcp dport @port_web accept comment "web"
		icmp type 8 accept comment "ping"
		icmpv6 type { 128, 135, 136 } accept comment "ping"
		tcp dport 23 reject with tcp reset comment "no-telnet"
		# rule "old" is disabled
		limit name "log_input_6" log prefix "sentinel drop: " comment "log-rest"
	}
	chain output {
		type filter hook output priority filter; policy accept;
		ct state established,related accept
		ct state invalid drop
		oif lo accept
		icmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } accept
		ip daddr != { 10.0.0.0/8, 192.168.0.0/16 } tcp dport 53 drop comment "dns-internal-only"
		ip daddr != { 10.0.0.0/8, 192.168.0.0/16 } udp dport 53 drop comment "dns-internal-only"
		meta nfproto ipv6 tcp dport 53 drop comment "dns-internal-only"
		meta nfproto ipv6 udp dport 53 drop comment "dns-internal-only"
		oifname "eth*" tcp dport 25 reject with tcp reset comment "smtp-out"
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ip saddr @block_v4 drop
		ip6 saddr @block_v6 drop
		ct state established,related accept
		ct state invalid drop
	}
}
)";

TEST(FirewallNftCompiler, CompilesTheSamplePolicyToTheExpectedText) {
  EXPECT_EQ(compiled(test::kSamplePolicy), kSampleText);
}

TEST(FirewallNftCompiler, SameMeaningGivesTheSameBytes) {
  const std::string first = compiled(test::kSamplePolicy);
  EXPECT_EQ(compiled(test::kSamplePolicy), first);
  // Objects in another order, entries in another order and written differently.
  std::string reordered = test::kSamplePolicy;
  const auto swap = [&](std::string_view from, std::string_view to) {
    const auto at = reordered.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    reordered.replace(at, from.size(), to);
  };
  swap(R"("admins": {"addresses": ["10.0.0.0/24", "2001:db8:1::/48"]},
      "bad": {"feed": "abuse-feodo"})",
       R"("bad": {"feed": "abuse-feodo"},
      "admins": {"addresses": ["2001:DB8:1:0::/48", "10.0.0.0/25", "10.0.0.128/25"]})");
  swap(R"("ports": [80, 443, "8000-8080"])", R"("ports": ["8000-8080", "443", 80])");
  EXPECT_EQ(compiled(reordered), first);
}

TEST(FirewallNftCompiler, FillsFeedSetsWhenTheirContentsAreGiven) {
  FeedContents feeds;
  feeds["abuse-feodo"] = {*parse_ip_network("198.51.100.0/24"),
                          *parse_ip_network("2001:db8:bad::1")};
  const std::string text = compiled(test::kSamplePolicy, feeds);
  EXPECT_THAT(text, HasSubstr("\tset addr_bad_v4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n"
                              "\t\telements = { 198.51.100.0/24 }\n\t}\n"));
  EXPECT_THAT(text, HasSubstr("elements = { 2001:db8:bad::1 }"));
}

TEST(FirewallNftCompiler, ALogRuleSplitIntoSeveralLinesSharesOneRate) {
  const std::string text =
      compiled(R"({"objects": {"services": {"dns": {"tcp": [53], "udp": [53]}}},
      "chains": {"input": {"policy": "accept", "rules": [
        {"id": "log-dns", "source": ["10.0.0.0/8", "2001:db8::/32"], "service": "dns",
         "action": "log", "log": {"rate": "3/second"}}]}}})");
  const auto lines = lines_with(text, "comment \"log-dns\"");
  ASSERT_EQ(lines.size(), 4u) << text;
  for (const std::string& line : lines)
    EXPECT_THAT(line, HasSubstr("limit name \"log_input_0\" log"));
  EXPECT_EQ(lines_with(text, "limit log_input_0 {").size(), 1u);
  EXPECT_THAT(text, HasSubstr("\t\tip saddr 10.0.0.0/8 tcp dport 53 limit name"));
  EXPECT_THAT(text, HasSubstr("\t\tip6 saddr 2001:db8::/32 udp dport 53 limit name"));
}

TEST(FirewallNftCompiler, MixedAddressListsMergeStaticEntriesAndReferenceFeedsByName) {
  const std::string text = compiled(R"({"objects": {"address_sets": {
        "office": {"addresses": ["192.0.2.0/25", "2001:db8::/64"]}, "bad": {"feed": "x"}}},
      "chains": {"input": {"policy": "accept", "rules": [
        {"id": "mixed", "source": ["office", "192.0.2.128/25", "bad"], "action": "drop"},
        {"id": "not-mixed", "source": {"not": ["office", "bad"]}, "protocol": "icmp", "action": "drop"}]}}})");
  EXPECT_THAT(text, HasSubstr("\t\tip saddr @addr_bad_v4 drop comment \"mixed\"\n"
                              "\t\tip saddr 192.0.2.0/24 drop comment \"mixed\"\n"
                              "\t\tip6 saddr @addr_bad_v6 drop comment \"mixed\"\n"
                              "\t\tip6 saddr 2001:db8::/64 drop comment \"mixed\"\n"));
  // Negated: one line, the conjunction of "not in" each; ICMP exists in IPv4 only.
  EXPECT_THAT(text,
              HasSubstr("\t\tip saddr != @addr_bad_v4 ip saddr != 192.0.2.0/25 meta nfproto ipv4 "
                        "meta l4proto icmp drop comment \"not-mixed\"\n"));
  EXPECT_EQ(lines_with(text, "not-mixed").size(), 1u);
  // The office set is not referenced by name anywhere, so it is not declared.
  EXPECT_THAT(text, Not(HasSubstr("addr_office")));
}

TEST(FirewallNftCompiler, AFamilyOnlyRuleSaysItsFamily) {
  const std::string text = compiled(R"({"chains": {"input": {"policy": "accept", "rules": [
        {"id": "v6-not-lan", "source": {"not": "fd00::/8"}, "action": "accept"},
        {"id": "all-icmp", "protocol": ["icmp", "icmpv6"], "action": "accept"}]}}})");
  EXPECT_THAT(text, HasSubstr("\t\tmeta nfproto ipv4 accept comment \"v6-not-lan\"\n"
                              "\t\tip6 saddr != fd00::/8 accept comment \"v6-not-lan\"\n"));
  EXPECT_THAT(
      text,
      HasSubstr("\t\tmeta nfproto ipv4 meta l4proto icmp accept comment \"all-icmp\"\n"
                "\t\tmeta nfproto ipv6 meta l4proto ipv6-icmp accept comment \"all-icmp\"\n"));
}

TEST(FirewallNftCompiler, NothingFromADocumentStartsANewLine) {
  PolicyDocument document = parse_valid(R"({"chains": {"input": {"policy": "accept", "rules": [
      {"id": "x", "action": "accept"}]}}})");
  Rule& rule = document.chain(ChainKind::kInput).rules[0];
  // A comment built in code, past the parser: flattened onto its comment line.
  rule.comment = "harmless\nflush ruleset\r";
  auto text = compile_nft(document);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_THAT(*text, HasSubstr("\t\t# harmless flush ruleset \n"));
  EXPECT_TRUE(lines_with(*text, "flush").size() == 1u &&
              lines_with(*text, "flush")[0].find("#") != std::string::npos);
  // Ids, prefixes and interface names go into nft text: refused outright.
  rule.id = "x\" ; flush ruleset ; \"";
  EXPECT_FALSE(compile_nft(document));
  rule.id = "x";
  rule.action = RuleAction::kLog;
  rule.log = LogOptions{1, RateUnit::kSecond, "a\" ; flush ruleset"};
  EXPECT_FALSE(compile_nft(document));
  rule.action = RuleAction::kAccept;
  rule.log.reset();
  rule.in_interface = {"eth0\" accept", false};
  EXPECT_FALSE(compile_nft(document));
}

TEST(FirewallNftCompiler, RefusesUnresolvedReferences) {
  const auto text = compile_nft(parse_valid(R"({"chains": {"output": {"policy": "accept", "rules": [
      {"id": "x", "destination": "nowhere", "action": "drop"}]}}})"));
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().field, "chains.output.rules[0].destination");
  EXPECT_THAT(text.error().message, HasSubstr("no address set is named 'nowhere'"));
}

TEST(FirewallNftCompiler, WrapsLongSetsEightElementsALine) {
  std::string addresses;
  for (int i = 0; i < 10; ++i) {
    if (i > 0) addresses += ", ";
    addresses += "\"10.0." + std::to_string(i * 2) + ".0/24\"";
  }
  const std::string text = compiled(R"({"objects": {"address_sets": {"many": {"addresses": [)" +
                                    addresses + R"(]}}}, "chains": {"input": {"policy": "accept",
      "rules": [{"id": "x", "source": "many", "action": "drop"}]}}})");
  EXPECT_THAT(text, HasSubstr("elements = { 10.0.0.0/24, 10.0.2.0/24, 10.0.4.0/24, 10.0.6.0/24, "
                              "10.0.8.0/24, 10.0.10.0/24, 10.0.12.0/24, 10.0.14.0/24,\n"
                              "\t\t\t     10.0.16.0/24, 10.0.18.0/24 }\n"));
}

}  // namespace
}  // namespace sentinel::firewall
