// Exclude patterns: what `*`, `**`, `?` and classes match on full paths, and when a walk may
// skip a whole directory.

#include "agent/collectors/fim/path_glob.h"

#include <gtest/gtest.h>

namespace sentinel::agent::fim {
namespace {

bool matches(std::string_view pattern, std::string_view path) {
  auto glob = PathGlob::compile(pattern);
  EXPECT_TRUE(glob) << pattern;
  return glob && glob->matches(path);
}

TEST(PathGlobTest, StarStaysWithinOneComponent) {
  EXPECT_TRUE(matches("/etc/*.swp", "/etc/.passwd.swp"));
  EXPECT_TRUE(matches("/etc/*.swp", "/etc/.swp"));
  EXPECT_FALSE(matches("/etc/*.swp", "/etc/ssh/x.swp"));
  EXPECT_FALSE(matches("/etc/*.swp", "/etc/x.swpx"));
  EXPECT_FALSE(matches("/etc/*", "/etc"));
}

TEST(PathGlobTest, DoubleStarCrossesDirectories) {
  EXPECT_TRUE(matches("/var/cache/**", "/var/cache/apt/archives/x.deb"));
  EXPECT_TRUE(matches("/var/cache/**", "/var/cache/a"));
  EXPECT_FALSE(matches("/var/cache/**", "/var/cache"));
  EXPECT_FALSE(matches("/var/cache/**", "/var/cachex/a"));
  EXPECT_TRUE(matches("**/*.swp", "/etc/ssh/x.swp"));
  EXPECT_TRUE(matches("/etc/**/*.swp", "/etc/x.swp"));
  EXPECT_TRUE(matches("/etc/**/*.swp", "/etc/a/b/x.swp"));
  EXPECT_FALSE(matches("/etc/**/*.swp", "/etcx.swp"));
  EXPECT_TRUE(matches("/usr/**.pyc", "/usr/lib/python3/x.pyc"));
}

TEST(PathGlobTest, QuestionMarkClassesAndEscapes) {
  EXPECT_TRUE(matches("/tmp/?", "/tmp/a"));
  EXPECT_FALSE(matches("/tmp/?", "/tmp/ab"));
  EXPECT_FALSE(matches("/tmp?a", "/tmp/a"));
  EXPECT_TRUE(matches("/log/[a-c]x", "/log/bx"));
  EXPECT_FALSE(matches("/log/[a-c]x", "/log/dx"));
  EXPECT_TRUE(matches("/log/[!a-c]x", "/log/dx"));
  EXPECT_FALSE(matches("/log/[!a-c]x", "/log/ax"));
  EXPECT_FALSE(matches("/log[!a]x", "/log/x"));
  EXPECT_TRUE(matches("/a/\\*", "/a/*"));
  EXPECT_FALSE(matches("/a/\\*", "/a/b"));
}

TEST(PathGlobTest, ManyStarsDoNotBlowUp) {
  const std::string path = "/" + std::string(4000, 'a');
  EXPECT_FALSE(matches("/**a**a**a**a**a**a**a**a**a**a**b", path));
}

TEST(PathGlobTest, RejectsMalformedPatterns) {
  EXPECT_FALSE(PathGlob::compile("/etc/[abc"));
  EXPECT_FALSE(PathGlob::compile("/etc/x\\"));
}

TEST(PathGlobTest, KnowsWhenEverythingBelowADirectoryIsExcluded) {
  auto excludes = ExcludeList::compile({"/var/cache/**", "/etc/*.swp", "/srv/*/tmp"});
  ASSERT_TRUE(excludes);
  EXPECT_TRUE(excludes->excludes_below("/var/cache"));
  EXPECT_TRUE(excludes->excludes_below("/var/cache/apt"));
  EXPECT_FALSE(excludes->excludes_below("/var"));
  EXPECT_FALSE(excludes->excludes_below("/etc"));
  EXPECT_TRUE(excludes->excludes_below("/srv/web/tmp"));  // the directory itself matches
  EXPECT_FALSE(excludes->excludes("/var/cache"));
  EXPECT_TRUE(excludes->excludes("/etc/a.swp"));
}

}  // namespace
}  // namespace sentinel::agent::fim
