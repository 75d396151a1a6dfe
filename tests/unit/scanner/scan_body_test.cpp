// The body of POST /api/v1/scans: what a good body asks for, and that every refusal names the
// field the caller got wrong.

#include "src/scanner/scan_body.h"

#include <gtest/gtest.h>

namespace sentinel::scanner {
namespace {

void expect_refused(std::string_view body, std::string_view field, std::string_view words) {
  const auto parsed = parse_scan_request(body);
  ASSERT_FALSE(parsed) << body;
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << body;
  EXPECT_EQ(parsed.error().field, field) << body << " -> " << parsed.error().message;
  EXPECT_NE(parsed.error().message.find(words), std::string::npos)
      << body << " -> " << parsed.error().message;
}

TEST(ScanBodyTest, TakesEveryField) {
  const auto parsed =
      parse_scan_request(R"({"targets":["127.68.0.0/29","localhost"],"exclude":["127.68.0.3"],)"
                         R"("ports":"1-1024,8080","profile":"quick","confirm_large":true})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->targets, (std::vector<std::string>{"127.68.0.0/29", "localhost"}));
  EXPECT_EQ(parsed->exclude, std::vector<std::string>{"127.68.0.3"});
  EXPECT_EQ(parsed->ports, "1-1024,8080");
  EXPECT_EQ(parsed->profile, ScanProfile::kQuick);
  EXPECT_TRUE(parsed->confirm_large);
}

TEST(ScanBodyTest, OnlyTargetsIsEnough) {
  const auto parsed = parse_scan_request(R"({"targets":["127.0.0.1"]})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_TRUE(parsed->exclude.empty());
  EXPECT_TRUE(parsed->ports.empty());
  EXPECT_FALSE(parsed->profile);
  EXPECT_FALSE(parsed->confirm_large);
}

TEST(ScanBodyTest, PortSpecsOfEveryKindAreAccepted) {
  for (const char* ports : {"top100", "top1000", "top1", "top65535", "all", "22", "1-1024,8080",
                            "T:22,80", "-", "60000-", "T:22,U:53,161", "U:53"}) {
    const std::string body = std::string(R"({"targets":["127.0.0.1"],"ports":")") + ports + R"("})";
    const auto parsed = parse_scan_request(body);
    EXPECT_TRUE(parsed) << ports << ": " << (parsed ? "" : parsed.error().message);
  }
}

TEST(ScanBodyTest, TargetsAreRequiredAndMustBeAListOfStrings) {
  expect_refused(R"({})", "targets", "required");
  expect_refused(R"({"targets":[]})", "targets", "at least one");
  expect_refused(R"({"targets":"127.0.0.1"})", "targets", "list of strings");
  expect_refused(R"({"targets":[1,2]})", "targets", "list of strings");
  expect_refused(R"({"targets":["127.0.0.1",""]})", "targets", "entry 2 is empty");
  expect_refused(R"({"targets":["127.0.0.1\n"]})", "targets", "control character");
  expect_refused(R"({"targets":[")" + std::string(300, 'a') + R"("]})", "targets", "longer");
}

TEST(ScanBodyTest, TooManyTargetsAreRefused) {
  std::string body = R"({"targets":[)";
  for (std::size_t i = 0; i <= kMaxTargetEntries; ++i)
    body += (i ? ",\"" : "\"") + std::string("127.0.0.1\"");
  body += "]}";
  expect_refused(body, "targets", "more than 1024");
}

TEST(ScanBodyTest, ExcludeMustBeAListOfStrings) {
  expect_refused(R"({"targets":["127.0.0.1"],"exclude":"127.0.0.2"})", "exclude",
                 "list of strings");
  expect_refused(R"({"targets":["127.0.0.1"],"exclude":[""]})", "exclude", "empty");
}

TEST(ScanBodyTest, BadPortsAreRefusedNamingPorts) {
  expect_refused(R"({"targets":["127.0.0.1"],"ports":80})", "ports", "string");
  expect_refused(R"({"targets":["127.0.0.1"],"ports":""})", "ports", "empty");
  expect_refused(R"({"targets":["127.0.0.1"],"ports":"top"})", "ports", "top");
  expect_refused(R"({"targets":["127.0.0.1"],"ports":"top0"})", "ports", "1 to 65535");
  expect_refused(R"({"targets":["127.0.0.1"],"ports":"top65536"})", "ports", "1 to 65535");
  expect_refused(R"({"targets":["127.0.0.1"],"ports":"0"})", "ports", "port 0");
  expect_refused(R"({"targets":["127.0.0.1"],"ports":"70000"})", "ports", "65535");
  expect_refused(R"({"targets":["127.0.0.1"],"ports":"http"})", "ports", "http");
  expect_refused(R"({"targets":["127.0.0.1"],"ports":"T:22,U:"})", "ports", "empty");
  expect_refused(R"({"targets":["127.0.0.1"],"ports":"S:22"})", "ports", "T: and U:");
}

TEST(ScanBodyTest, BadProfileAndConfirmationAreRefused) {
  expect_refused(R"({"targets":["127.0.0.1"],"profile":"fast"})", "profile",
                 "quick, standard or full");
  expect_refused(R"({"targets":["127.0.0.1"],"profile":1})", "profile", "string");
  expect_refused(R"({"targets":["127.0.0.1"],"confirm_large":"yes"})", "confirm_large",
                 "true or false");
}

TEST(ScanBodyTest, DiscoveryIsABooleanLeftUnsetWhenAbsent) {
  const auto absent = parse_scan_request(R"({"targets":["127.0.0.1"]})");
  ASSERT_TRUE(absent) << absent.error().message;
  EXPECT_FALSE(absent->discovery);
  const auto off = parse_scan_request(R"({"targets":["127.0.0.1"],"discovery":false})");
  ASSERT_TRUE(off) << off.error().message;
  EXPECT_EQ(off->discovery, std::optional<bool>(false));
  const auto on = parse_scan_request(R"({"targets":["127.0.0.1"],"discovery":true})");
  ASSERT_TRUE(on) << on.error().message;
  EXPECT_EQ(on->discovery, std::optional<bool>(true));
  const auto nmap_off =
      parse_scan_request(R"({"targets":["127.0.0.1"],"backend":"nmap","discovery":false})");
  ASSERT_TRUE(nmap_off) << nmap_off.error().message;
  EXPECT_EQ(nmap_off->discovery, std::optional<bool>(false));
}

TEST(ScanBodyTest, DiscoveryOfAWrongTypeIsRefusedAndAgentsTakeEither) {
  expect_refused(R"({"targets":["127.0.0.1"],"discovery":"yes"})", "discovery", "true or false");
  expect_refused(R"({"targets":["127.0.0.1"],"discovery":1})", "discovery", "true or false");
  expect_refused(R"({"targets":["127.0.0.1"],"discovery":[]})", "discovery", "true or false");
  // Agents find the live hosts of their shards first, or scan every address when told.
  const auto agents_on =
      parse_scan_request(R"({"targets":["127.0.0.1"],"agents":{"group":"edge"},"discovery":true})");
  ASSERT_TRUE(agents_on) << agents_on.error().message;
  EXPECT_EQ(agents_on->discovery, std::optional<bool>(true));
  const auto agents_off = parse_scan_request(
      R"({"targets":["127.0.0.1"],"agents":{"group":"edge"},"discovery":false})");
  ASSERT_TRUE(agents_off) << agents_off.error().message;
  EXPECT_EQ(agents_off->discovery, std::optional<bool>(false));
}

TEST(ScanBodyTest, RateAndConcurrencyCapsAreTakenAndLeftUnsetWhenAbsent) {
  const auto absent = parse_scan_request(R"({"targets":["127.0.0.1"]})");
  ASSERT_TRUE(absent) << absent.error().message;
  EXPECT_TRUE(absent->limits.empty());
  const auto both = parse_scan_request(
      R"({"targets":["127.0.0.1"],"max_rate":20,"max_concurrency":8,"discovery":true})");
  ASSERT_TRUE(both) << both.error().message;
  EXPECT_EQ(both->limits.max_rate, std::optional<double>(20));
  EXPECT_EQ(both->limits.max_concurrency, std::optional<std::int64_t>(8));
  // A fraction of a probe per second and the bounds themselves are fine; null means absent.
  const auto slow =
      parse_scan_request(R"({"targets":["127.0.0.1"],"max_rate":0.5,"max_concurrency":65535})");
  ASSERT_TRUE(slow) << slow.error().message;
  EXPECT_EQ(slow->limits.max_rate, std::optional<double>(0.5));
  EXPECT_EQ(slow->limits.max_concurrency, std::optional<std::int64_t>(65535));
  const auto top = parse_scan_request(
      R"({"targets":["127.0.0.1"],"max_rate":1000000,"max_concurrency":1,"backend":"nmap"})");
  ASSERT_TRUE(top) << top.error().message;
  EXPECT_EQ(top->limits.max_rate, std::optional<double>(1'000'000));
  EXPECT_EQ(top->limits.max_concurrency, std::optional<std::int64_t>(1));
  const auto nulls =
      parse_scan_request(R"({"targets":["127.0.0.1"],"max_rate":null,"max_concurrency":null})");
  ASSERT_TRUE(nulls) << nulls.error().message;
  EXPECT_TRUE(nulls->limits.empty());
  const auto agents =
      parse_scan_request(R"({"targets":["127.0.0.1"],"agents":{"group":"edge"},"max_rate":100})");
  ASSERT_TRUE(agents) << agents.error().message;
  EXPECT_EQ(agents->limits.max_rate, std::optional<double>(100));
}

TEST(ScanBodyTest, BadRatesAndConcurrenciesAreRefusedNamingTheField) {
  expect_refused(R"({"targets":["127.0.0.1"],"max_rate":0})", "max_rate", "more than 0");
  expect_refused(R"({"targets":["127.0.0.1"],"max_rate":-5})", "max_rate", "more than 0");
  expect_refused(R"({"targets":["127.0.0.1"],"max_rate":1000001})", "max_rate", "at most");
  expect_refused(R"({"targets":["127.0.0.1"],"max_rate":1e300})", "max_rate", "at most");
  expect_refused(R"({"targets":["127.0.0.1"],"max_rate":"100"})", "max_rate", "a number");
  expect_refused(R"({"targets":["127.0.0.1"],"max_rate":true})", "max_rate", "a number");
  expect_refused(R"({"targets":["127.0.0.1"],"max_rate":[20]})", "max_rate", "a number");
  expect_refused(R"({"targets":["127.0.0.1"],"max_concurrency":0})", "max_concurrency", "1..65535");
  expect_refused(R"({"targets":["127.0.0.1"],"max_concurrency":65536})", "max_concurrency",
                 "1..65535");
  expect_refused(R"({"targets":["127.0.0.1"],"max_concurrency":-1})", "max_concurrency",
                 "1..65535");
  expect_refused(R"({"targets":["127.0.0.1"],"max_concurrency":2.5})", "max_concurrency",
                 "integer");
  expect_refused(R"({"targets":["127.0.0.1"],"max_concurrency":"8"})", "max_concurrency",
                 "integer");
  expect_refused(R"({"targets":["127.0.0.1"],"max_concurrency":18446744073709551615})",
                 "max_concurrency", "too large");
}

TEST(ScanBodyTest, UnknownFieldsAndNonObjectsAreRefused) {
  expect_refused(R"({"targets":["127.0.0.1"],"rate":1000})", "rate", "unknown field");
  const auto not_json = parse_scan_request("targets=127.0.0.1");
  ASSERT_FALSE(not_json);
  EXPECT_EQ(not_json.error().code, ErrorCode::kInvalidArgument);
  const auto array = parse_scan_request(R"(["127.0.0.1"])");
  ASSERT_FALSE(array);
  EXPECT_NE(array.error().message.find("object"), std::string::npos);
}

}  // namespace
}  // namespace sentinel::scanner
