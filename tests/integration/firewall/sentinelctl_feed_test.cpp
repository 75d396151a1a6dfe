// sentinelctl firewall feeds against a real server (SQLite and PostgreSQL): a feed read from the
// server's feed directory is added, refreshed (with its skipped lines), listed, shown, refused
// when its file goes, and removed; the exit statuses a script relies on.

#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/api_fixture.h"
#include "tests/integration/sentinelctl_fixture.h"

namespace sentinel::test {
namespace {

using ::testing::HasSubstr;

class SentinelctlFeedTest : public WithSentinelctl<ApiTest> {};

TEST_P(SentinelctlFeedTest, AFeedIsAddedRefreshedListedAndRemoved) {
  std::error_code error;
  const std::filesystem::path dir =
      std::filesystem::canonical(server_->data_dir() + "/feeds", error);
  ASSERT_FALSE(error) << error.message();
  const std::filesystem::path file = dir / "ours.txt";
  std::ofstream(file) << "# ours\n198.18.7.1\n198.18.8.0/24\nbogus\n";

  const CommandOutput added = ctl({"firewall", "feeds", "add", "ours", "--source", file.string(),
                                   "--refresh-s", "900", "--description", "our list"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_THAT(added.out, HasSubstr("refresh_s"));

  const CommandOutput refreshed = ctl({"firewall", "feeds", "refresh", "ours"});
  ASSERT_EQ(refreshed.exit_code, 0) << refreshed.err;
  EXPECT_THAT(refreshed.out, HasSubstr("ours: 2 entries (1 line skipped)"));
  EXPECT_THAT(refreshed.err, HasSubstr("ours:4: 'bogus'"));

  const CommandOutput listed = ctl({"firewall", "feeds", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("NAME"));
  EXPECT_THAT(listed.out, HasSubstr("ours"));
  EXPECT_THAT(listed.out, HasSubstr(file.string()));
  const CommandOutput shown = ctl({"--output", "json", "firewall", "feeds", "show", "ours"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(parse(shown).at("entries"), 2);
  EXPECT_EQ(parse(shown).at("refresh_s"), 900);

  // The file goes away: the refresh fails, says so, and the two entries stay.
  std::filesystem::remove(file);
  const CommandOutput failed = ctl({"firewall", "feeds", "refresh", "ours"});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_THAT(failed.err, HasSubstr("no such file"));
  EXPECT_THAT(failed.err, HasSubstr("the previous 2 entries stay"));

  const CommandOutput bad = ctl({"firewall", "feeds", "add", "other", "--source", "/etc/hosts"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("not inside the feed directory"));
  // Every problem of a definition at once, each in the words the server uses.
  const CommandOutput faults = ctl(
      {"firewall", "feeds", "add", "1st", "--source", "ftp://127.0.0.1/x", "--refresh-s", "10"});
  EXPECT_EQ(faults.exit_code, 1);
  EXPECT_THAT(faults.err, HasSubstr("a feed name is a letter"));
  EXPECT_THAT(faults.err, HasSubstr("a feed URL starts with http:// or https://"));
  EXPECT_THAT(faults.err, HasSubstr("'refresh_s' is between 300 and 604800 seconds"));

  const CommandOutput removed = ctl({"firewall", "feeds", "remove", "ours"});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(removed.out, "removed\n");
  const CommandOutput gone = ctl({"firewall", "feeds", "show", "ours"});
  EXPECT_EQ(gone.exit_code, 1);
}

SENTINEL_BOTH_BACKENDS(SentinelctlFeedTest);

}  // namespace
}  // namespace sentinel::test
