// A window's changes: one fim event each, or one fim.batch for a directory over the threshold,
// with the fields ADR 0004 names.

#include "agent/collectors/fim/change_batcher.h"

#include <gtest/gtest.h>

#include "tests/unit/agent/collected_event_field.h"

namespace sentinel::agent::fim {
namespace {

FileState file(std::string sha256, std::uint32_t mode = 0644) {
  FileState state;
  state.size = 5;
  state.mode = mode;
  state.uid = 1000;
  state.gid = 100;
  state.sha256 = std::move(sha256);
  return state;
}

TEST(ChangeBatcherTest, ReportsFewChangesOneByOneWithOldAndNewState) {
  ChangeBatcher batcher(100);
  batcher.add({ChangeAction::kModified, "/etc/hosts", file("aa"), file("bb", 0600)});
  batcher.add({ChangeAction::kDeleted, "/etc/motd", file("cc"), std::nullopt});
  std::vector<CollectedEvent> events;
  batcher.flush(Trigger::kRealtime, 42, events);
  ASSERT_EQ(events.size(), 2u);
  const CollectedEvent& modified = events[0];
  EXPECT_EQ(modified.type, "fim");
  EXPECT_EQ(modified.time_ms, 42);
  EXPECT_EQ(field(modified, "event.action"), "modified");
  EXPECT_EQ(field(modified, "file.path"), "/etc/hosts");
  EXPECT_EQ(field(modified, "file.type"), "file");
  EXPECT_EQ(field(modified, "file.size"), "5");
  EXPECT_EQ(field(modified, "file.mode"), "0600");
  EXPECT_EQ(field(modified, "file.uid"), "1000");
  EXPECT_EQ(field(modified, "file.gid"), "100");
  EXPECT_EQ(field(modified, "file.hash.sha256"), "bb");
  EXPECT_EQ(field(modified, "file.old.mode"), "0644");
  EXPECT_EQ(field(modified, "file.old.hash.sha256"), "aa");
  EXPECT_EQ(field(modified, "fim.trigger"), "realtime");
  const CollectedEvent& deleted = events[1];
  EXPECT_EQ(field(deleted, "event.action"), "deleted");
  EXPECT_EQ(field(deleted, "file.type"), "file");
  EXPECT_EQ(field(deleted, "file.hash.sha256"), "<absent>");
  EXPECT_EQ(field(deleted, "file.old.hash.sha256"), "cc");
  EXPECT_TRUE(batcher.empty());
}

TEST(ChangeBatcherTest, MakesOneBatchOfADirectoryOverTheThreshold) {
  ChangeBatcher batcher(3);
  for (int i = 0; i < 30; ++i) {
    const std::string path = "/srv/www/f" + std::to_string(i);
    if (i % 3 == 0) batcher.add({ChangeAction::kCreated, path, std::nullopt, file("n")});
    if (i % 3 == 1) batcher.add({ChangeAction::kModified, path, file("o"), file("n")});
    if (i % 3 == 2) batcher.add({ChangeAction::kDeleted, path, file("o"), std::nullopt});
  }
  batcher.add({ChangeAction::kModified, "/srv/other", file("o"), file("n")});
  EXPECT_EQ(batcher.held(), 1u);  // the batched directory keeps counts and samples only
  std::vector<CollectedEvent> events;
  batcher.flush(Trigger::kScheduled, 7, events);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, "fim");
  EXPECT_EQ(field(events[0], "file.path"), "/srv/other");
  const CollectedEvent& batch = events[1];
  EXPECT_EQ(batch.type, "fim.batch");
  EXPECT_EQ(field(batch, "fim.count"), "30");
  EXPECT_EQ(field(batch, "fim.created"), "10");
  EXPECT_EQ(field(batch, "fim.modified"), "10");
  EXPECT_EQ(field(batch, "fim.deleted"), "10");
  EXPECT_EQ(field(batch, "file.directory"), "/srv/www");
  EXPECT_EQ(field(batch, "fim.trigger"), "scheduled");
  const std::string sample = field(batch, "fim.sample");
  EXPECT_EQ(std::count(sample.begin(), sample.end(), '\n'), 19);  // 20 paths
  EXPECT_EQ(sample.substr(0, sample.find('\n')), "/srv/www/f0");
}

TEST(ChangeBatcherTest, ExactlyTheThresholdStaysSeparateEvents) {
  ChangeBatcher batcher(3);
  for (int i = 0; i < 3; ++i) {
    batcher.add({ChangeAction::kCreated, "/d/f" + std::to_string(i), std::nullopt, file("n")});
  }
  std::vector<CollectedEvent> events;
  batcher.flush(Trigger::kRealtime, 0, events);
  EXPECT_EQ(events.size(), 3u);
}

TEST(FileStateTest, ClassifiesWhatAUserWouldCallAChange) {
  FileState a = file("aa");
  FileState touched = a;
  touched.mtime_ns += 1;
  touched.inode += 1;
  EXPECT_EQ(classify(a, touched), std::nullopt);
  FileState chmodded = a;
  chmodded.mode = 0600;
  EXPECT_EQ(classify(a, chmodded), ChangeAction::kAttributesChanged);
  FileState rewritten = chmodded;
  rewritten.sha256 = "bb";
  EXPECT_EQ(classify(a, rewritten), ChangeAction::kModified);
  FileState directory = a;
  directory.type = FileType::kDirectory;
  directory.sha256.clear();
  EXPECT_EQ(classify(a, directory), ChangeAction::kModified);
  EXPECT_EQ(classify(std::nullopt, a), ChangeAction::kCreated);
  EXPECT_EQ(classify(a, std::nullopt), ChangeAction::kDeleted);
}

}  // namespace
}  // namespace sentinel::agent::fim
