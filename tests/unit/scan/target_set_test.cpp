#include "sentinel/scan/target_set.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace sentinel::scan {
namespace {

/// Answers from a fixed table and counts the questions, so tests see each name resolved once.
class FakeResolver final : public HostResolver {
 public:
  Result<std::vector<IpAddress>> resolve(const std::string& name) override {
    ++calls[name];
    const auto found = table.find(name);
    if (found == table.end()) return not_found("host name does not resolve");
    return found->second;
  }

  std::map<std::string, std::vector<IpAddress>> table;
  std::map<std::string, int> calls;
};

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

std::vector<std::string> ranges_of(const TargetSet& set) {
  std::vector<std::string> out;
  for (const AddressRange& range : set.ranges()) out.push_back(range.to_string());
  return out;
}

class TargetSetTest : public ::testing::Test {
 protected:
  Result<TargetSet> parse(std::string_view targets, std::string_view exclude = {}) {
    return TargetSet::parse(targets, exclude, resolver_);
  }

  FakeResolver resolver_;
};

TEST_F(TargetSetTest, ParsesEveryForm) {
  const auto set = parse(
      "10.0.0.1, 192.168.0.0/30 10.1.0.5-7\t10.2.1-2.0-255,172.16.0.250-172.16.1.3 "
      "2001:db8::/126 2001:db8:1::1-2001:db8:1::2 ::1");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(ranges_of(*set),
            (std::vector<std::string>{"10.0.0.1", "10.1.0.5-10.1.0.7", "10.2.1.0-10.2.2.255",
                                      "172.16.0.250-172.16.1.3", "192.168.0.0/30", "::1",
                                      "2001:db8::/126", "2001:db8:1::1-2001:db8:1::2"}));
  EXPECT_EQ(set->size(), 1u + 3 + 512 + 10 + 4 + 1 + 4 + 2);
}

TEST_F(TargetSetTest, OctetRangesThatAreNotContiguousBecomeSeparateRanges) {
  const auto set = parse("10.0-1.5.1-2");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(ranges_of(*set), (std::vector<std::string>{"10.0.5.1-10.0.5.2", "10.1.5.1-10.1.5.2"}));
}

TEST_F(TargetSetTest, MergesOverlapsAndNeighbours) {
  const auto set = parse("10.0.0.0/25 10.0.0.128/25 10.0.0.5 10.0.1.0-10.0.1.9");
  ASSERT_TRUE(set);
  EXPECT_EQ(ranges_of(*set), (std::vector<std::string>{"10.0.0.0-10.0.1.9"}));
  EXPECT_EQ(set->size(), 266u);
}

TEST_F(TargetSetTest, SubtractsInlineAndListedExclusions) {
  const auto set = parse("10.0.0.0/24 !10.0.0.7 !10.0.0.0/29", "10.0.0.128/25, 10.0.0.100");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(ranges_of(*set),
            (std::vector<std::string>{"10.0.0.8-10.0.0.99", "10.0.0.101-10.0.0.127"}));
  EXPECT_EQ(set->size(), 92u + 27);
  EXPECT_FALSE(set->contains(ip("10.0.0.7")));
  EXPECT_FALSE(set->contains(ip("10.0.0.200")));
  EXPECT_TRUE(set->contains(ip("10.0.0.8")));
}

TEST_F(TargetSetTest, AtWalksTheAddressesInOrder) {
  const auto set = parse("10.0.0.254-10.0.1.1 ::1 10.9.9.9");
  ASSERT_TRUE(set);
  std::vector<std::string> all;
  for (std::uint64_t i = 0; i < set->size(); ++i) all.push_back(set->at(i).to_string());
  EXPECT_EQ(all, (std::vector<std::string>{"10.0.0.254", "10.0.0.255", "10.0.1.0", "10.0.1.1",
                                           "10.9.9.9", "::1"}));
}

TEST_F(TargetSetTest, ResolvesEachHostNameOnceAndExcludesByName) {
  resolver_.table["db.example"] = {ip("10.0.0.5"), ip("2001:db8::5")};
  resolver_.table["web.example"] = {ip("10.0.0.6")};
  resolver_.table["mapped.example"] = {ip("::ffff:10.0.0.9")};
  const auto set = parse("db.example DB.example web.example mapped.example !web.example");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(ranges_of(*set), (std::vector<std::string>{"10.0.0.5", "10.0.0.9", "2001:db8::5"}));
  EXPECT_EQ(resolver_.calls["db.example"] + resolver_.calls["DB.example"], 1);
  EXPECT_EQ(resolver_.calls["web.example"], 1);
  ASSERT_EQ(set->resolved_hosts().size(), 3u);
  EXPECT_EQ(set->resolved_hosts()[0].name, "db.example");
  EXPECT_EQ(set->resolved_hosts()[0].addresses.size(), 2u);
}

TEST_F(TargetSetTest, NamesEveryBadTokenAndWhy) {
  const auto set =
      parse("10.0.0.1 10.0.0.256 10.0.0.5/24 010.0.0.1 10.0.0.40-5 bad_host! ::1%lo", "!10.0.0.1");
  ASSERT_FALSE(set);
  const Error& error = set.error();
  EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(error.field, "targets");
  const std::string& message = error.message;
  EXPECT_NE(message.find("7 invalid targets"), std::string::npos) << message;
  EXPECT_NE(message.find("target '10.0.0.256': octet '256' is above 255"), std::string::npos)
      << message;
  EXPECT_NE(message.find("target '10.0.0.5/24': host bits are set; the network is 10.0.0.0/24"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("target '010.0.0.1': octet '010' has a leading zero"), std::string::npos)
      << message;
  EXPECT_NE(message.find("target '10.0.0.40-5': octet range '40-5' runs backwards"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("target 'bad_host!'"), std::string::npos) << message;
  EXPECT_NE(message.find("target '::1%lo': an IPv6 zone index"), std::string::npos) << message;
  EXPECT_NE(message.find("target '!10.0.0.1': the exclude list takes targets without '!'"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find("'10.0.0.1':"), std::string::npos) << "a good token was named";
}

TEST_F(TargetSetTest, HostNamesTakeNoPrefixLength) {
  resolver_.table["web.example"] = {ip("10.0.0.6")};
  const auto set = parse("web.example/24");
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().message,
            "target 'web.example/24': a host name cannot take a prefix length");
}

TEST_F(TargetSetTest, ReportsSyntaxErrorsBeforeResolvingAnything) {
  const auto set = parse("some.host 10.0.0.300");
  ASSERT_FALSE(set);
  EXPECT_TRUE(resolver_.calls.empty());
}

TEST_F(TargetSetTest, NamesHostNamesThatDoNotResolve) {
  resolver_.table["good.example"] = {ip("10.0.0.1")};
  const auto set = parse("good.example missing.example", "gone.example");
  ASSERT_FALSE(set);
  EXPECT_NE(set.error().message.find("target 'missing.example': host name does not resolve"),
            std::string::npos)
      << set.error().message;
  EXPECT_NE(set.error().message.find("target 'gone.example'"), std::string::npos);
  EXPECT_EQ(set.error().field, "targets");
}

TEST_F(TargetSetTest, ErrorsInTheExcludeListCarryItsField) {
  const auto set = parse("10.0.0.0/24", "10.0.0.999");
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().field, "exclude");
  EXPECT_NE(set.error().message.find("target '10.0.0.999'"), std::string::npos);
}

TEST_F(TargetSetTest, RefusesEmptyResults) {
  EXPECT_FALSE(parse(""));
  EXPECT_FALSE(parse(" , "));
  const auto all_excluded = parse("10.0.0.0/30", "10.0.0.0/29");
  ASSERT_FALSE(all_excluded);
  EXPECT_NE(all_excluded.error().message.find("exclusions remove every target"), std::string::npos);
  const auto bang = parse("10.0.0.1 !");
  ASSERT_FALSE(bang);
  EXPECT_NE(bang.error().message.find("'!' must be followed by a target"), std::string::npos);
}

TEST_F(TargetSetTest, RefusesHugeIpv6SetsNamingTheToken) {
  const auto set = parse("::1 2001:db8::/64");
  ASSERT_FALSE(set);
  EXPECT_NE(set.error().message.find("'2001:db8::/64' covers 18446744073709551616"),
            std::string::npos)
      << set.error().message;
  EXPECT_TRUE(parse("2001:db8::/104"));  // exactly 2^24
  EXPECT_FALSE(parse("2001:db8::/103"));
  // An exclusion can bring a set under the cap.
  EXPECT_TRUE(parse("2001:db8::/103 !2001:db8::/104"));
  // IPv4 sets have no such cap: the whole space is 2^32.
  const auto everything = parse("0.0.0.0/0");
  ASSERT_TRUE(everything);
  EXPECT_EQ(everything->size(), std::uint64_t{1} << 32);
}

TEST_F(TargetSetTest, RefusesIpv4MappedIpv6Targets) {
  const auto set = parse("::ffff:10.0.0.1");
  ASSERT_FALSE(set);
  EXPECT_NE(set.error().message.find("IPv4-mapped"), std::string::npos);
  EXPECT_FALSE(parse("::ffff:0:0/100"));
}

TEST_F(TargetSetTest, RefusesOctetRangesThatFragmentTooMuch) {
  const auto set = parse("1-255.1-255.1-255.1");
  ASSERT_FALSE(set);
  EXPECT_NE(set.error().message.find("separate ranges"), std::string::npos);
  EXPECT_TRUE(parse("10.0-255.0-255.0-255"));  // contiguous: one range
}

// Reading on after the lists went over the limit expanded every later token all the same (up to
// 65,536 ranges each: a 262 KB body of 16,000 such tokens cost 6.5 s to refuse); now the rest
// of the lists is not read.
TEST_F(TargetSetTest, StopsReadingOnceTheListsExpandToTooManyRanges) {
  TargetLimits limits;
  limits.max_ranges = 4;
  const auto set = TargetSet::parse("10.0.0-3.1 10.0.4-7.1 10.0.8-11.1 1-255.1-255.1-255.1 a..b",
                                    "", resolver_, limits);
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().message, "the lists expand to more than 4 separate ranges");
}

TEST_F(TargetSetTest, ShuffledVisitsEveryAddressOnceAndDependsOnTheSeed) {
  const auto set = parse("10.0.0.0/24 10.5.0.1-3 ::1");
  ASSERT_TRUE(set);
  std::vector<IpAddress> first;
  auto walk = set->shuffled(7);
  IpAddress address;
  while (walk.next(address)) first.push_back(address);
  EXPECT_EQ(first.size(), set->size());
  EXPECT_EQ(std::set<IpAddress>(first.begin(), first.end()).size(), set->size());

  std::vector<IpAddress> again;
  auto repeat = set->shuffled(7);
  while (repeat.next(address)) again.push_back(address);
  EXPECT_EQ(first, again);

  std::vector<IpAddress> other;
  auto reseeded = set->shuffled(8);
  while (reseeded.next(address)) other.push_back(address);
  EXPECT_NE(first, other);
}

TEST_F(TargetSetTest, AgreesWithABruteForceSetOnRandomLists) {
  // Random includes and exclusions inside 10.0.0.0/24 against a bitmap of the same lists.
  std::mt19937 random(12345);
  const auto octet = [&] { return static_cast<int>(random() % 256); };
  for (int round = 0; round < 300; ++round) {
    std::string targets;
    std::string exclude;
    std::vector<bool> in(256, false);
    std::vector<bool> out(256, false);
    for (int i = 0; i < 6; ++i) {
      int first = octet();
      int last = octet();
      if (first > last) std::swap(first, last);
      const bool excluded = random() % 3 == 0;
      (excluded ? exclude : targets) +=
          "10.0.0." + std::to_string(first) + "-" + std::to_string(last) + " ";
      for (int a = first; a <= last; ++a) (excluded ? out : in)[a] = true;
    }
    std::uint64_t expected = 0;
    for (int a = 0; a < 256; ++a) expected += in[a] && !out[a];
    const auto set = parse(targets, exclude);
    if (expected == 0) {
      EXPECT_FALSE(set) << targets << "/" << exclude;
      continue;
    }
    ASSERT_TRUE(set) << targets << "/" << exclude << ": " << set.error().message;
    ASSERT_EQ(set->size(), expected) << targets << "/" << exclude;
    for (int a = 0; a < 256; ++a) {
      ASSERT_EQ(set->contains(IpAddress::v4(0x0a000000U + a)), in[a] && !out[a])
          << a << " in " << targets << "/" << exclude;
    }
  }
}

TEST(TargetSetFromRanges, Canonicalises) {
  const auto set = TargetSet::from_ranges(
      {{ip("10.0.0.5"), ip("10.0.0.9")}, {ip("10.0.0.0"), ip("10.0.0.4")}, {ip("::1"), ip("::1")}});
  EXPECT_EQ(ranges_of(set), (std::vector<std::string>{"10.0.0.0-10.0.0.9", "::1"}));
  EXPECT_EQ(set.size(), 11u);
}

}  // namespace
}  // namespace sentinel::scan
