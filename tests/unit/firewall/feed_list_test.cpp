// Threat-intel feed text: plain lists and abuse.ch-style CSV become sorted, unique networks;
// every line not taken is counted and named; caps and dangerous entries are refused.

#include "sentinel/firewall/feed_list.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sentinel::firewall {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> texts(const FeedList& list) {
  std::vector<std::string> out;
  for (const IpNetwork& network : list.networks) out.push_back(format_ip_network(network));
  return out;
}

FeedList parse(std::string_view text, FeedOptions options = {}) {
  auto parsed = parse_feed_list(text, options);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? std::move(*parsed) : FeedList{};
}

TEST(FeedList, APlainListWithCommentsBecomesSortedUniqueNetworks) {
  const FeedList list = parse(
      "# Spamhaus-style list\r\n"
      "; another comment\n"
      "\n"
      "203.0.113.0/24 ; SBL000001\n"
      "198.51.100.7\n"
      "2001:db8::/48   # a v6 range\n"
      "198.51.100.7\n"
      "  192.0.2.1  \n");
  EXPECT_THAT(texts(list),
              ElementsAre("192.0.2.1", "198.51.100.7", "203.0.113.0/24", "2001:db8::/48"));
  EXPECT_EQ(list.lines, 8u);
  EXPECT_EQ(list.skipped, 0u);
  EXPECT_TRUE(list.problems.empty());
}

TEST(FeedList, BadLinesAreSkippedAndNamedWithTheirLineNumber) {
  const FeedList list = parse(
      "192.0.2.1\n"
      "not-an-address\n"
      "10.0.0.1/8\n"
      "192.0.2.2 192.0.2.3\n"
      "0.0.0.0/0\n"
      "2001::/16\n"
      "198.51.100.1\n");
  EXPECT_THAT(texts(list), ElementsAre("192.0.2.1", "198.51.100.1"));
  EXPECT_EQ(list.skipped, 5u);
  ASSERT_EQ(list.problems.size(), 5u);
  EXPECT_EQ(list.problems[0].line, 2u);
  EXPECT_THAT(list.problems[0].message, HasSubstr("not-an-address"));
  EXPECT_EQ(list.problems[1].line, 3u);
  EXPECT_EQ(list.problems[2].line, 4u);
  EXPECT_THAT(list.problems[2].message, HasSubstr("more than one entry"));
  EXPECT_EQ(list.problems[3].line, 5u);
  EXPECT_THAT(list.problems[3].message, HasSubstr("broader than /8"));
  EXPECT_EQ(list.problems[4].line, 6u);
  EXPECT_THAT(list.problems[4].message, HasSubstr("broader than /32"));
}

TEST(FeedList, OnlyTheFirstProblemsAreNamedButAllAreCounted) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "junk\n";
  FeedOptions options;
  options.max_reported = 3;
  const FeedList list = parse(text, options);
  EXPECT_EQ(list.skipped, 100u);
  EXPECT_EQ(list.problems.size(), 3u);
  EXPECT_TRUE(list.networks.empty());
}

TEST(FeedList, AnAbuseChCsvTakesTheNamedColumnFromTheCommentedHeader) {
  FeedOptions options;
  options.format = FeedFormat::kCsv;
  options.column = "dst_ip";
  const FeedList list = parse(
      "################################################################\n"
      "# Feodo Tracker Botnet C2 IP Blocklist (CSV)                   #\n"
      "################################################################\n"
      "#\n"
      "# \"first_seen_utc\",\"dst_ip\",\"dst_port\",\"c2_status\",\"last_online\",\"malware\"\n"
      "\"2021-01-17 07:44:46\",\"203.0.113.32\",\"4643\",\"online\",\"2023-08-23\",\"Dridex\"\n"
      "\"2021-01-18 07:44:46\",\"198.51.100.9\",\"443\",\"offline\",\"2023-08-20\",\"Emotet, v4\"\n"
      "\"2021-01-19 07:44:46\",\"bogus\",\"443\",\"offline\",\"2023-08-20\",\"x\"\n"
      "# end\n",
      options);
  EXPECT_THAT(texts(list), ElementsAre("198.51.100.9", "203.0.113.32"));
  ASSERT_EQ(list.problems.size(), 1u);
  EXPECT_EQ(list.problems[0].line, 8u);
}

TEST(FeedList, ACsvHeaderMayBeTheFirstLineAndColumnsMayBeNumbered) {
  FeedOptions named;
  named.format = FeedFormat::kCsv;
  named.column = "ip_address";
  EXPECT_THAT(texts(parse("id,ip_address,reason\n1,192.0.2.5,scanner\n2,192.0.2.6,brute\n", named)),
              ElementsAre("192.0.2.5", "192.0.2.6"));
  FeedOptions numbered;
  numbered.format = FeedFormat::kCsv;
  numbered.column = "2";
  const FeedList list = parse("1,192.0.2.5\n2\n", numbered);
  EXPECT_THAT(texts(list), ElementsAre("192.0.2.5"));
  ASSERT_EQ(list.problems.size(), 1u);
  EXPECT_THAT(list.problems[0].message, HasSubstr("no column 2"));
}

TEST(FeedList, WrongOptionsAndOversizedFeedsAreRefusedWhole) {
  FeedOptions csv;
  csv.format = FeedFormat::kCsv;
  auto no_column = parse_feed_list("1,2\n", csv);
  ASSERT_FALSE(no_column);
  EXPECT_EQ(no_column.error().field, "column");

  csv.column = "dst_ip";
  auto no_header = parse_feed_list("# \"a\",\"b\"\n\"x\",\"192.0.2.1\"\n", csv);
  ASSERT_FALSE(no_header);
  EXPECT_THAT(no_header.error().message, HasSubstr("dst_ip"));

  csv.column = "0";
  EXPECT_FALSE(parse_feed_list("1,2\n", csv));

  FeedOptions small;
  small.max_bytes = 10;
  auto too_big = parse_feed_list("192.0.2.1\n192.0.2.2\n", small);
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code, ErrorCode::kPayloadTooLarge);

  FeedOptions few;
  few.max_entries = 2;
  auto too_many = parse_feed_list("192.0.2.1\n192.0.2.2\n192.0.2.3\n", few);
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code, ErrorCode::kPayloadTooLarge);
}

TEST(FeedList, HostileTextIsReportedNotTaken) {
  std::string text = "192.0.2.1\n";
  text += std::string(5000, 'A') + "\n";              // an endless line
  text += std::string("192.0.2.9\0junk", 14) + "\n";  // a NUL inside
  text += "\"192.0.2.10\n";                           // a quote in a plain list
  text += "\xff\xfe\n";                               // not UTF-8
  const FeedList list = parse(text);
  EXPECT_THAT(texts(list), ElementsAre("192.0.2.1"));
  EXPECT_EQ(list.skipped, 4u);
  for (const FeedProblem& problem : list.problems) {
    for (const char c : problem.message) {
      EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "messages are printable: " << problem.message;
    }
  }
  FeedOptions csv;
  csv.format = FeedFormat::kCsv;
  csv.column = "1";
  const FeedList unclosed = parse("\"192.0.2.1\n", csv);
  ASSERT_EQ(unclosed.problems.size(), 1u);
  EXPECT_THAT(unclosed.problems[0].message, HasSubstr("not closed"));
}

}  // namespace
}  // namespace sentinel::firewall
