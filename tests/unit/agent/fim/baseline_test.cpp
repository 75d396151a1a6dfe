// The baseline store: states survive reopening, a directory's entries come back in name order,
// a subtree is forgotten with everything below it (and nothing beside it), the file is private.
// The change journal keeps each reported change with its old and new state under a sequence
// number that is never reused, until it is pruned; a version 1 file is upgraded in place.

#include "agent/collectors/fim/baseline.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <vector>

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

std::vector<JournalEntry> journal(Baseline& baseline, std::int64_t after) {
  std::vector<JournalEntry> out;
  const Status read =
      baseline.changes_after(after, [&](JournalEntry entry) { out.push_back(std::move(entry)); });
  EXPECT_TRUE(read) << read.error().message;
  return out;
}

TEST(BaselineTest, JournalKeepsChangesWithBothStatesUntilPruned) {
  test::TempDir dir("fim-baseline");
  const std::string file = (dir.path() / "baseline.db").string();
  std::string id;
  {
    auto baseline = Baseline::open(file);
    ASSERT_TRUE(baseline) << baseline.error().message;
    Baseline& b = **baseline;
    id = b.id();
    EXPECT_EQ(id.size(), 32u);
    EXPECT_EQ(b.last_change(), 0);
    ASSERT_TRUE(b.put("/etc/hosts", state(20, kDigest)));
    auto created = b.record_change(
        FileChange{ChangeAction::kCreated, "/etc/hosts", std::nullopt, state(20, kDigest)},
        Trigger::kRealtime);
    auto modified = b.record_change(
        FileChange{ChangeAction::kModified, "/etc/hosts", state(20, kDigest), state(30)},
        Trigger::kScheduled);
    auto deleted =
        b.record_change(FileChange{ChangeAction::kDeleted, "/etc/hosts", state(30), std::nullopt},
                        Trigger::kRealtime);
    ASSERT_TRUE(created && modified && deleted);
    EXPECT_LT(*created, *modified);
    EXPECT_LT(*modified, *deleted);
    ASSERT_TRUE(b.flush());
  }
  auto reopened = Baseline::open(file);
  ASSERT_TRUE(reopened) << reopened.error().message;
  Baseline& b = **reopened;
  EXPECT_EQ(b.id(), id) << "the id names the file, not the process";
  EXPECT_EQ(b.last_change(), 3);
  std::vector<JournalEntry> all = journal(b, 0);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].change.action, ChangeAction::kCreated);
  EXPECT_FALSE(all[0].change.before);
  ASSERT_TRUE(all[0].change.after);
  EXPECT_EQ(*all[0].change.after, state(20, kDigest));
  EXPECT_EQ(all[0].trigger, Trigger::kRealtime);
  EXPECT_EQ(all[1].change.action, ChangeAction::kModified);
  EXPECT_EQ(*all[1].change.before, state(20, kDigest));
  EXPECT_EQ(*all[1].change.after, state(30));
  EXPECT_EQ(all[1].trigger, Trigger::kScheduled);
  // A delete keeps what was there (its tombstone) until the agent has stored it.
  EXPECT_EQ(all[2].change.action, ChangeAction::kDeleted);
  EXPECT_EQ(all[2].change.path, "/etc/hosts");
  EXPECT_EQ(*all[2].change.before, state(30));
  EXPECT_FALSE(all[2].change.after);

  EXPECT_EQ(journal(b, 2).size(), 1u);
  ASSERT_TRUE(b.forget_changes_through(2));
  ASSERT_TRUE(b.flush());
  ASSERT_EQ(journal(b, 0).size(), 1u);
  EXPECT_EQ(journal(b, 0)[0].sequence, 3);
  // Pruned sequences are never handed out again: a checkpoint of 3 must not cover a new change.
  ASSERT_TRUE(b.forget_changes_through(3));
  auto next = b.record_change(FileChange{ChangeAction::kCreated, "/etc/x", std::nullopt, state(1)},
                              Trigger::kRealtime);
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, 4);
  ASSERT_TRUE(b.forget_changes_through(b.last_change()));
  EXPECT_TRUE(journal(b, 0).empty());
}

TEST(BaselineTest, TwoBaselineFilesHaveDifferentIds) {
  test::TempDir dir("fim-baseline");
  auto first = Baseline::open((dir.path() / "a.db").string());
  auto second = Baseline::open((dir.path() / "b.db").string());
  ASSERT_TRUE(first && second);
  EXPECT_NE((*first)->id(), (*second)->id());
}

TEST(BaselineTest, AVersionOneFileIsUpgradedInPlace) {
  test::TempDir dir("fim-baseline");
  const std::string file = (dir.path() / "baseline.db").string();
  {
    // What an agent before the change journal wrote.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TABLE fim_files (parent TEXT NOT NULL, name TEXT NOT NULL, "
                           "type INTEGER NOT NULL, size INTEGER NOT NULL, mode INTEGER NOT NULL, "
                           "uid INTEGER NOT NULL, gid INTEGER NOT NULL, mtime_ns INTEGER NOT "
                           "NULL, ctime_ns INTEGER NOT NULL, inode INTEGER NOT NULL, sha256 BLOB, "
                           "PRIMARY KEY (parent, name)) WITHOUT ROWID;"
                           "CREATE TABLE fim_roots (path TEXT PRIMARY KEY, complete INTEGER NOT "
                           "NULL);"
                           "INSERT INTO fim_files VALUES ('/etc', 'hosts', 0, 20, 420, 0, 0, 1, "
                           "2, 3, NULL);"
                           "INSERT INTO fim_roots VALUES ('/etc', 1);"
                           "PRAGMA user_version=1;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto baseline = Baseline::open(file);
  ASSERT_TRUE(baseline) << baseline.error().message;
  Baseline& b = **baseline;
  auto hosts = b.get("/etc/hosts");
  ASSERT_TRUE(hosts && *hosts);
  EXPECT_EQ((*hosts)->size, 20);
  auto roots = b.complete_roots();
  ASSERT_TRUE(roots);
  EXPECT_TRUE(roots->contains("/etc")) << "the first check is not redone";
  EXPECT_EQ(b.last_change(), 0);
  EXPECT_FALSE(b.id().empty());
  auto recorded = b.record_change(
      FileChange{ChangeAction::kModified, "/etc/hosts", **hosts, state(21)}, Trigger::kRealtime);
  ASSERT_TRUE(recorded) << recorded.error().message;
  EXPECT_EQ(*recorded, 1);
  ASSERT_TRUE(b.flush());
  EXPECT_EQ(journal(b, 0).size(), 1u);
}

}  // namespace
}  // namespace sentinel::agent::fim
