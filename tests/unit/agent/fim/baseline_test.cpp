// The baseline store: states survive reopening, a directory's entries come back in name order,
// a subtree is forgotten with everything below it (and nothing beside it), the file is private.

#include "agent/collectors/fim/baseline.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/temp_dir.h"

namespace sentinel::agent::fim {
namespace {

FileState state(std::int64_t size, std::string sha256 = {}) {
  FileState out;
  out.size = size;
  out.mode = 0640;
  out.uid = 1;
  out.gid = 2;
  out.mtime_ns = 1'700'000'000'123'456'789;
  out.ctime_ns = 1'700'000'001'000'000'000;
  out.inode = 0xfffffffffffffff0ULL;  // above INT64_MAX: stored as its bit pattern
  out.sha256 = std::move(sha256);
  return out;
}

const std::string kDigest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

TEST(BaselineTest, KeepsStatesAcrossReopening) {
  test::TempDir dir("fim-baseline");
  const std::string file = (dir.path() / "b.db").string();
  {
    auto baseline = Baseline::open(file);
    ASSERT_TRUE(baseline) << baseline.error().message;
    ASSERT_TRUE((*baseline)->put("/etc/passwd", state(10, kDigest)));
    ASSERT_TRUE((*baseline)->mark_complete("/etc"));
    ASSERT_TRUE((*baseline)->flush());
  }
  auto baseline = Baseline::open(file);
  ASSERT_TRUE(baseline);
  auto got = (*baseline)->get("/etc/passwd");
  ASSERT_TRUE(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, state(10, kDigest));
  EXPECT_FALSE((*(*baseline)->get("/etc/shadow")).has_value());
  auto roots = (*baseline)->complete_roots();
  ASSERT_TRUE(roots);
  EXPECT_EQ(*roots, std::set<std::string>{"/etc"});
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  for (const char* suffix : {"-wal", "-shm"}) {
    if (::stat((file + suffix).c_str(), &info) == 0) {
      EXPECT_EQ(info.st_mode & 0777, 0600u) << suffix;
    }
  }
}

TEST(BaselineTest, ListsChildrenInNameOrderAndRemovesSubtrees) {
  test::TempDir dir("fim-baseline");
  auto opened = Baseline::open((dir.path() / "b.db").string());
  ASSERT_TRUE(opened);
  Baseline& baseline = **opened;
  for (const char* path :
       {"/", "/a", "/a/z", "/a/b", "/a/b/c", "/a/b/c/d", "/a-x", "/a-x/y", "/a.b", "/ab"}) {
    ASSERT_TRUE(baseline.put(path, state(1)));
  }
  std::vector<std::string> names;
  ASSERT_TRUE(
      baseline.children("/a", [&](std::string_view name, FileState) { names.emplace_back(name); }));
  EXPECT_EQ(names, (std::vector<std::string>{"b", "z"}));

  std::vector<std::string> removed;
  ASSERT_TRUE(baseline.remove_below(
      "/a", [&](std::string path, FileState) { removed.push_back(std::move(path)); }));
  std::sort(removed.begin(), removed.end());
  EXPECT_EQ(removed, (std::vector<std::string>{"/a/b", "/a/b/c", "/a/b/c/d", "/a/z"}));
  EXPECT_TRUE((*baseline.get("/a")).has_value());
  for (const char* kept : {"/a-x", "/a-x/y", "/a.b", "/ab"}) {
    EXPECT_TRUE((*baseline.get(kept)).has_value()) << kept;
  }
  EXPECT_EQ(*baseline.size(), 6);
  ASSERT_TRUE(baseline.remove_below("/", [](std::string, FileState) {}));
  EXPECT_EQ(*baseline.size(), 1);  // "/" itself
}

TEST(BaselineTest, SplitsAndJoinsPaths) {
  EXPECT_EQ(split_path("/etc/passwd"),
            (std::pair<std::string_view, std::string_view>{"/etc", "passwd"}));
  EXPECT_EQ(split_path("/etc").first, "/");
  EXPECT_EQ(split_path("/").first, "");
  EXPECT_EQ(join_path("/", "etc"), "/etc");
  EXPECT_EQ(join_path("/etc", "passwd"), "/etc/passwd");
  EXPECT_EQ(join_path("", "/"), "/");
}

}  // namespace
}  // namespace sentinel::agent::fim
