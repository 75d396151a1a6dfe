// The check of a feed's definition: every problem at once, each naming its field in the words
// it always had, and the one error the API answers with.

#include "src/firewall/feed_definition.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace sentinel::firewall {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

const std::filesystem::path kRoot = "/var/lib/sentinel/feeds";

FeedDefinition good() {
  FeedDefinition definition;
  definition.name = "abuse-ch";
  definition.source = "https://feodotracker.abuse.ch/downloads/ipblocklist.txt";
  return definition;
}

std::vector<std::pair<std::string, std::string>> fields_and_messages(
    const std::vector<Problem>& problems) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Problem& problem : problems) {
    EXPECT_EQ(problem.severity, Severity::kError) << problem.message;
    EXPECT_FALSE(problem.code.empty()) << problem.message;
    out.emplace_back(problem.path, problem.message);
  }
  return out;
}

TEST(FeedDefinitionTest, ADefinitionWithThreeFaultsHasThreeProblems) {
  FeedDefinition definition = good();
  definition.name = "1st";
  definition.source = "ftp://feeds.example/list.txt";
  definition.refresh_s = 10;
  const std::vector<Problem> problems = check_feed_definition(definition, kRoot);
  EXPECT_THAT(
      fields_and_messages(problems),
      ElementsAre(
          Pair("name",
               "a feed name is a letter, then up to 31 letters, digits, '_' or '-' "
               "(policies name it in an address set's \"feed\")"),
          Pair("source",
               "'ftp://feeds.example/list.txt': a feed URL starts with http:// or https://"),
          Pair("refresh_s", "'refresh_s' is between 300 and 604800 seconds")));

  const Error error = invalid_feed_definition(problems);
  EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(error.field, "name");
  EXPECT_EQ(error.message,
            "the feed definition has 3 errors: name: a feed name is a letter, then up to 31 "
            "letters, digits, '_' or '-' (policies name it in an address set's \"feed\"); source: "
            "'ftp://feeds.example/list.txt': a feed URL starts with http:// or https://; "
            "refresh_s: 'refresh_s' is between 300 and 604800 seconds");
}

TEST(FeedDefinitionTest, EveryFieldIsCheckedEvenWhenTheOthersAreWrong) {
  FeedDefinition definition = good();
  definition.source = "/etc/passwd";
  definition.format = FeedFormat::kCsv;
  definition.refresh_s = 604801;
  definition.description = "two\nlines";
  EXPECT_THAT(
      fields_and_messages(check_feed_definition(definition, kRoot)),
      ElementsAre(
          Pair("source", "'/etc/passwd' is not inside the feed directory /var/lib/sentinel/feeds"),
          Pair("column",
               "a csv feed needs 'column': the header name or the 1-based number of the column "
               "that holds the address"),
          Pair("refresh_s", "'refresh_s' is between 300 and 604800 seconds"),
          Pair("description", "'description' has at most 1024 bytes on one line")));
}

TEST(FeedDefinitionTest, AFieldHasOneProblemAtMost) {
  // A plain feed with a column that is also too long: that it is there at all is what to fix.
  FeedDefinition definition = good();
  definition.column = std::string(100, 'c');
  EXPECT_THAT(fields_and_messages(check_feed_definition(definition, kRoot)),
              ElementsAre(Pair("column", "'column' is only for csv feeds")));
  definition.format = FeedFormat::kCsv;
  EXPECT_THAT(
      fields_and_messages(check_feed_definition(definition, kRoot)),
      ElementsAre(Pair("column", "'column' has at most 64 bytes and no control characters")));
}

TEST(FeedDefinitionTest, OneProblemKeepsItsOwnMessageAndAGoodDefinitionHasNone) {
  EXPECT_TRUE(check_feed_definition(good(), kRoot).empty());
  FeedDefinition csv = good();
  csv.format = FeedFormat::kCsv;
  csv.column = "dst_ip";
  EXPECT_TRUE(check_feed_definition(csv, kRoot).empty());

  FeedDefinition slow = good();
  slow.refresh_s = 299;
  const Error error = invalid_feed_definition(check_feed_definition(slow, kRoot));
  EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(error.field, "refresh_s");
  EXPECT_EQ(error.message, "'refresh_s' is between 300 and 604800 seconds");
}

}  // namespace
}  // namespace sentinel::firewall
