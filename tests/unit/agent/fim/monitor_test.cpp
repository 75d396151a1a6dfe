// The file-integrity monitor against real files in a temporary directory: the first check is a
// silent baseline; later checks and inotify report what a user changed, with old and new state;
// excludes hold; a storm in one directory is one fim.batch; a restart compares with the baseline
// on disk, and reports again the changes whose events the agent had not stored when it died.
// Windows close when the test moves the injected clock, never on real time.

#include "agent/collectors/fim/monitor.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "sentinel/common/crypto.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/agent/collected_event_field.h"

namespace sentinel::agent::fim {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr std::chrono::seconds kDeadline{60};

void write_file(const fs::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  ASSERT_TRUE(out) << path;
}

std::string describe(const std::vector<CollectedEvent>& events) {
  std::string out;
  for (const CollectedEvent& event : events) {
    out += event.type + " " + field(event, "event.action") + " " + field(event, "file.path") + " " +
           field(event, "fim.trigger") + "\n";
  }
  return out;
}

class MonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(watched_);
    write_file(watched_ / "hosts", "127.0.0.1 localhost\n");
    fs::create_directories(watched_ / "sub");
    write_file(watched_ / "sub" / "config", "key=value\n");
    fs::create_symlink("hosts", watched_ / "link");
  }

  FimConfig config() const {
    FimConfig config;
    config.paths = {watched_.string()};
    return config;
  }

  std::unique_ptr<Monitor> start(FimConfig config, bool realtime, FimCheckpoint resume = {}) {
    auto monitor = Monitor::create(MonitorOptions{.config = std::move(config),
                                                  .state_dir = state_.string(),
                                                  .realtime = realtime,
                                                  .resume = std::move(resume)},
                                   clock_);
    EXPECT_TRUE(monitor) << monitor.error().message;
    if (!monitor) return nullptr;
    EXPECT_TRUE((*monitor)->start());
    return std::move(*monitor);
  }

  /// Polls `monitor`, collecting its events, until `done` holds; false after kDeadline.
  bool run_until(Monitor& monitor, const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      const Status status = monitor.poll(std::chrono::milliseconds(10));
      EXPECT_TRUE(status) << status.error().message;
      monitor.drain(events_);
    }
    return true;
  }

  /// Runs until `count` full checks have finished.
  bool finish_full_checks(Monitor& monitor, std::int64_t count) {
    return run_until(monitor, [&] { return monitor.stats().full_checks >= count; });
  }

  /// Waits until inotify has named `paths` paths, closes the window by moving the clock, and
  /// runs until its events are out.
  bool close_window(Monitor& monitor, std::int64_t paths) {
    if (!run_until(monitor, [&] { return monitor.stats().pending_paths >= paths; })) {
      return false;
    }
    clock_.advance_ms(1000);
    return run_until(monitor, [&] { return !events_.empty(); });
  }

  test::TempDir dir_{"fim-monitor"};
  fs::path watched_ = dir_.path() / "watched";
  fs::path state_ = dir_.path() / "state";
  ManualClock clock_{1'700'000'000'000};
  std::vector<CollectedEvent> events_;
};

TEST_F(MonitorTest, FirstCheckIsASilentBaselineInAPrivateFile) {
  auto monitor = start(config(), false);
  ASSERT_TRUE(monitor);
  ASSERT_TRUE(finish_full_checks(*monitor, 1));
  EXPECT_TRUE(events_.empty()) << describe(events_);
  EXPECT_EQ(monitor->stats().files_hashed, 2);
  struct stat info {};
  ASSERT_EQ(::stat((state_ / "fim-baseline.db").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(state_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);

  // Nothing changed: the next check reports nothing and reads no file again.
  monitor->request_full_check();
  ASSERT_TRUE(finish_full_checks(*monitor, 2));
  EXPECT_TRUE(events_.empty()) << describe(events_);
  EXPECT_EQ(monitor->stats().files_hashed, 2);
}

TEST_F(MonitorTest, ScheduledCheckReportsNewContentWithOldAndNewHash) {
  auto monitor = start(config(), false);
  ASSERT_TRUE(finish_full_checks(*monitor, 1));
  write_file(watched_ / "hosts", "10.0.0.1 evil\n");
  monitor->request_full_check();
  ASSERT_TRUE(finish_full_checks(*monitor, 2));
  ASSERT_EQ(events_.size(), 1u) << describe(events_);
  const CollectedEvent& event = events_[0];
  EXPECT_EQ(event.type, "fim");
  EXPECT_EQ(field(event, "event.action"), "modified");
  EXPECT_EQ(field(event, "file.path"), (watched_ / "hosts").string());
  EXPECT_EQ(field(event, "file.type"), "file");
  EXPECT_EQ(field(event, "file.size"), "14");
  EXPECT_EQ(field(event, "file.hash.sha256"), crypto::sha256_hex("10.0.0.1 evil\n"));
  EXPECT_EQ(field(event, "file.old.size"), "20");
  EXPECT_EQ(field(event, "file.old.hash.sha256"), crypto::sha256_hex("127.0.0.1 localhost\n"));
  EXPECT_EQ(field(event, "file.uid"), std::to_string(::getuid()));
  EXPECT_EQ(field(event, "fim.trigger"), "scheduled");
  EXPECT_EQ(event.time_ms, clock_.now_ms());
}

TEST_F(MonitorTest, ReportsChmodAsAttributesChanged) {
  fs::permissions(watched_ / "hosts", fs::perms(0644));
  auto monitor = start(config(), false);
  ASSERT_TRUE(finish_full_checks(*monitor, 1));
  fs::permissions(watched_ / "hosts", fs::perms(0600));
  monitor->request_full_check();
  ASSERT_TRUE(finish_full_checks(*monitor, 2));
  ASSERT_EQ(events_.size(), 1u) << describe(events_);
  EXPECT_EQ(field(events_[0], "event.action"), "attributes_changed");
  EXPECT_EQ(field(events_[0], "file.old.mode"), "0644");
  EXPECT_EQ(field(events_[0], "file.mode"), "0600");
  EXPECT_EQ(field(events_[0], "file.hash.sha256"), field(events_[0], "file.old.hash.sha256"));
}

TEST_F(MonitorTest, ReportsDeletedAndCreatedPaths) {
  auto monitor = start(config(), false);
  ASSERT_TRUE(finish_full_checks(*monitor, 1));
  fs::remove(watched_ / "sub" / "config");
  write_file(watched_ / "sub" / "new", "fresh");
  fs::remove(watched_ / "link");
  fs::create_symlink("/etc/shadow", watched_ / "link");
  monitor->request_full_check();
  ASSERT_TRUE(finish_full_checks(*monitor, 2));
  ASSERT_EQ(events_.size(), 3u) << describe(events_);
  std::map<std::string, const CollectedEvent*> by_path;
  for (const CollectedEvent& event : events_) by_path[field(event, "file.path")] = &event;
  const CollectedEvent* deleted = by_path[(watched_ / "sub" / "config").string()];
  ASSERT_NE(deleted, nullptr);
  EXPECT_EQ(field(*deleted, "event.action"), "deleted");
  EXPECT_EQ(field(*deleted, "file.old.hash.sha256"), crypto::sha256_hex("key=value\n"));
  EXPECT_EQ(field(*deleted, "file.hash.sha256"), "<absent>");
  const CollectedEvent* created = by_path[(watched_ / "sub" / "new").string()];
  ASSERT_NE(created, nullptr);
  EXPECT_EQ(field(*created, "event.action"), "created");
  EXPECT_EQ(field(*created, "file.hash.sha256"), crypto::sha256_hex("fresh"));
  EXPECT_EQ(field(*created, "file.old.type"), "<absent>");
  // A symlink's digest is that of its target text: a new target is new content.
  const CollectedEvent* link = by_path[(watched_ / "link").string()];
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(field(*link, "event.action"), "modified");
  EXPECT_EQ(field(*link, "file.type"), "symlink");
  EXPECT_EQ(field(*link, "file.old.hash.sha256"), crypto::sha256_hex("hosts"));
  EXPECT_EQ(field(*link, "file.hash.sha256"), crypto::sha256_hex("/etc/shadow"));
}

TEST_F(MonitorTest, DeletedDirectoryReportsEverythingThatWasInIt) {
  auto monitor = start(config(), false);
  ASSERT_TRUE(finish_full_checks(*monitor, 1));
  fs::remove_all(watched_ / "sub");
  monitor->request_full_check();
  ASSERT_TRUE(finish_full_checks(*monitor, 2));
  ASSERT_EQ(events_.size(), 2u) << describe(events_);
  std::set<std::string> paths;
  for (const CollectedEvent& event : events_) {
    EXPECT_EQ(field(event, "event.action"), "deleted");
    paths.insert(field(event, "file.path"));
  }
  EXPECT_EQ(paths, (std::set<std::string>{(watched_ / "sub").string(),
                                          (watched_ / "sub" / "config").string()}));
}

TEST_F(MonitorTest, ExcludedPathsAreNeitherRecordedNorReported) {
  fs::create_directories(watched_ / "cache");
  FimConfig excluding = config();
  excluding.excludes = {(watched_ / "*.swp").string(), (watched_ / "cache" / "**").string()};
  auto monitor = start(excluding, true);
  ASSERT_TRUE(finish_full_checks(*monitor, 1));
  write_file(watched_ / "hosts.swp", "swap");
  write_file(watched_ / "cache" / "blob", "cached");
  write_file(watched_ / "sub" / "kept.swp", "not excluded: * stays in one directory");
  write_file(watched_ / "notes", "reported");
  monitor->request_full_check();
  ASSERT_TRUE(finish_full_checks(*monitor, 2));
  // Real-time or scheduled, whichever saw them first: the two not excluded, and only them.
  std::set<std::string> paths;
  for (const CollectedEvent& event : events_) paths.insert(field(event, "file.path"));
  EXPECT_EQ(monitor->stats().pending_paths, 2);  // inotify named only these two as well
  EXPECT_EQ(paths, (std::set<std::string>{(watched_ / "notes").string(),
                                          (watched_ / "sub" / "kept.swp").string()}))
      << describe(events_);
}

TEST_F(MonitorTest, DetectsAWriteInRealTimeAsOneChange) {
  auto monitor = start(config(), true);
  ASSERT_TRUE(finish_full_checks(*monitor, 1));
  ASSERT_TRUE(monitor->stats().realtime);
  EXPECT_EQ(monitor->stats().watches, 3);  // watched, watched/sub and the parent of watched
  for (const char* content : {"one\n", "two\n", "three\n"}) {
    write_file(watched_ / "sub" / "config", content);
  }
  ASSERT_TRUE(close_window(*monitor, 1));
  ASSERT_EQ(events_.size(), 1u) << describe(events_);
  EXPECT_EQ(field(events_[0], "event.action"), "modified");
  EXPECT_EQ(field(events_[0], "file.path"), (watched_ / "sub" / "config").string());
  EXPECT_EQ(field(events_[0], "file.hash.sha256"), crypto::sha256_hex("three\n"));
  EXPECT_EQ(field(events_[0], "file.old.hash.sha256"), crypto::sha256_hex("key=value\n"));
  EXPECT_EQ(field(events_[0], "fim.trigger"), "realtime");
}

TEST_F(MonitorTest, WatchesDirectoriesCreatedAfterTheStart) {
  auto monitor = start(config(), true);
  ASSERT_TRUE(finish_full_checks(*monitor, 1));
  fs::create_directories(watched_ / "new" / "deeper");
  write_file(watched_ / "new" / "deeper" / "early", "before the watch existed");
  ASSERT_TRUE(close_window(*monitor, 1));
  std::set<std::string> created;
  for (const CollectedEvent& event : events_) {
    EXPECT_EQ(field(event, "event.action"), "created");
    created.insert(field(event, "file.path"));
  }
  EXPECT_EQ(created, (std::set<std::string>{(watched_ / "new").string(),
                                            (watched_ / "new" / "deeper").string(),
                                            (watched_ / "new" / "deeper" / "early").string()}));
  events_.clear();
  write_file(watched_ / "new" / "deeper" / "late", "seen through the new watch");
  ASSERT_TRUE(close_window(*monitor, 1));
  ASSERT_EQ(events_.size(), 1u) << describe(events_);
  EXPECT_EQ(field(events_[0], "file.path"), (watched_ / "new" / "deeper" / "late").string());
  EXPECT_EQ(field(events_[0], "fim.trigger"), "realtime");
}

TEST_F(MonitorTest, AThousandChangesInOneDirectoryAreOneBatch) {
  fs::create_directories(watched_ / "bulk");
  for (int i = 0; i < 1000; ++i) {
    write_file(watched_ / "bulk" / ("f" + std::to_string(i)), "v1");
  }
  auto monitor = start(config(), true);
  ASSERT_TRUE(finish_full_checks(*monitor, 1));
  ASSERT_TRUE(events_.empty()) << describe(events_);
  for (int i = 0; i < 1000; ++i) {
    write_file(watched_ / "bulk" / ("f" + std::to_string(i)), "v2");
  }
  write_file(watched_ / "hosts", "changed in the same window, in another directory");
  ASSERT_TRUE(close_window(*monitor, 1001));
  ASSERT_EQ(events_.size(), 2u) << describe(events_);
  const CollectedEvent& single = events_[0];
  EXPECT_EQ(single.type, "fim");
  EXPECT_EQ(field(single, "file.path"), (watched_ / "hosts").string());
  const CollectedEvent& batch = events_[1];
  EXPECT_EQ(batch.type, "fim.batch");
  EXPECT_EQ(field(batch, "fim.count"), "1000");
  EXPECT_EQ(field(batch, "fim.modified"), "1000");
  EXPECT_EQ(field(batch, "fim.created"), "0");
  EXPECT_EQ(field(batch, "fim.deleted"), "0");
  EXPECT_EQ(field(batch, "file.directory"), (watched_ / "bulk").string());
  EXPECT_EQ(field(batch, "fim.trigger"), "realtime");
  const std::string sample = field(batch, "fim.sample");
  EXPECT_EQ(std::count(sample.begin(), sample.end(), '\n'), 19);
  EXPECT_THAT(sample, HasSubstr((watched_ / "bulk" / "f").string()));
}

TEST_F(MonitorTest, RestartComparesWithTheBaselineOnDisk) {
  {
    auto monitor = start(config(), false);
    ASSERT_TRUE(finish_full_checks(*monitor, 1));
  }
  write_file(watched_ / "sub" / "config", "changed while the agent was stopped\n");
  auto monitor = start(config(), false);
  ASSERT_TRUE(finish_full_checks(*monitor, 1));
  ASSERT_EQ(events_.size(), 1u) << describe(events_);
  EXPECT_EQ(field(events_[0], "event.action"), "modified");
  EXPECT_EQ(field(events_[0], "file.path"), (watched_ / "sub" / "config").string());
  EXPECT_EQ(field(events_[0], "file.old.hash.sha256"), crypto::sha256_hex("key=value\n"));
  EXPECT_EQ(field(events_[0], "fim.trigger"), "scheduled");
}

TEST_F(MonitorTest, QueueOverflowSchedulesAFullCheck) {
  std::ifstream limit_file("/proc/sys/fs/inotify/max_queued_events");
  std::int64_t limit = 0;
  limit_file >> limit;
  if (limit <= 0 || limit > 100'000) GTEST_SKIP() << "max_queued_events is " << limit;
  fs::create_directories(watched_ / "flood");
  auto monitor = start(config(), true);
  ASSERT_TRUE(finish_full_checks(*monitor, 1));
  // Each new file queues a create and a close-write, without the monitor reading: more than
  // the kernel keeps.
  for (std::int64_t i = 0; i < limit / 2 + 100; ++i) {
    write_file(watched_ / "flood" / std::to_string(i), "x");
  }
  ASSERT_TRUE(finish_full_checks(*monitor, 2));
  EXPECT_GE(monitor->stats().queue_overflows, 1);
  clock_.advance_ms(1000);  // let the real-time window of what was read close too
  ASSERT_TRUE(run_until(*monitor, [&] {
    const MonitorStats stats = monitor->stats();
    return stats.pending_paths == 0 && !stats.full_check_running;
  }));
  // Every new file is reported once, by whichever check saw it first.
  std::int64_t reported = 0;
  for (const CollectedEvent& event : events_) {
    if (event.type == "fim.batch") reported += std::stoll(field(event, "fim.created"));
    if (event.type == "fim" && field(event, "event.action") == "created") ++reported;
  }
  EXPECT_EQ(reported, limit / 2 + 100);
}

TEST_F(MonitorTest, RejectsAnInvalidConfig) {
  FimConfig bad;
  bad.paths = {"relative/path"};
  auto monitor =
      Monitor::create(MonitorOptions{.config = bad, .state_dir = state_.string()}, clock_);
  ASSERT_FALSE(monitor);
  EXPECT_EQ(monitor.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(monitor.error().message, HasSubstr("fim.paths[0]"));
}

TEST_F(MonitorTest, RealTimeReportsARemovedTreeAndARename) {
  auto monitor = start(config(), true);
  ASSERT_TRUE(finish_full_checks(*monitor, 1));
  fs::remove_all(watched_ / "sub");
  fs::rename(watched_ / "hosts", watched_ / "hosts.old");
  ASSERT_TRUE(close_window(*monitor, 4));
  std::map<std::string, std::string> actions;
  for (const CollectedEvent& event : events_) {
    EXPECT_EQ(field(event, "fim.trigger"), "realtime");
    actions[field(event, "file.path")] = field(event, "event.action");
  }
  EXPECT_EQ(actions, (std::map<std::string, std::string>{
                         {(watched_ / "sub").string(), "deleted"},
                         {(watched_ / "sub" / "config").string(), "deleted"},
                         {(watched_ / "hosts").string(), "deleted"},
                         {(watched_ / "hosts.old").string(), "created"},
                     }))
      << describe(events_);
}

TEST_F(MonitorTest, DoesNotReportItsOwnBaselineInsideAWatchedPath) {
  auto monitor = Monitor::create(
      MonitorOptions{.config = config(), .state_dir = (watched_ / "state").string()}, clock_);
  ASSERT_TRUE(monitor) << monitor.error().message;
  ASSERT_TRUE((*monitor)->start());
  ASSERT_TRUE(finish_full_checks(**monitor, 1));
  write_file(watched_ / "hosts", "a change to see that checks report");
  (*monitor)->request_full_check();
  ASSERT_TRUE(finish_full_checks(**monitor, 2));
  ASSERT_EQ(events_.size(), 1u) << describe(events_);
  EXPECT_EQ(field(events_[0], "file.path"), (watched_ / "hosts").string());
}

TEST_F(MonitorTest, WatchesASingleFileThroughItsDirectory) {
  FimConfig one_file;
  one_file.paths = {(watched_ / "hosts").string()};
  auto monitor = start(one_file, true);
  ASSERT_TRUE(finish_full_checks(*monitor, 1));
  write_file(watched_ / "sub" / "config", "not watched");
  write_file(watched_ / "notes", "not watched either");
  // An editor's atomic replace: a new file renamed over the watched one.
  write_file(watched_ / "hosts.tmp", "replaced\n");
  fs::rename(watched_ / "hosts.tmp", watched_ / "hosts");
  ASSERT_TRUE(close_window(*monitor, 1));
  ASSERT_EQ(events_.size(), 1u) << describe(events_);
  EXPECT_EQ(field(events_[0], "file.path"), (watched_ / "hosts").string());
  EXPECT_EQ(field(events_[0], "event.action"), "modified");
  EXPECT_EQ(field(events_[0], "file.hash.sha256"), crypto::sha256_hex("replaced\n"));
}

// The crash the change journal is for: the change is in the baseline (committed), its event
// left the monitor, but the agent died before it was spooled, so its checkpoint is older.
TEST_F(MonitorTest, ChangesAfterTheAgentsCheckpointAreReportedAgainAfterACrash) {
  FimCheckpoint before_change;
  FimCheckpoint after_change;
  {
    auto monitor = start(config(), false);
    ASSERT_TRUE(finish_full_checks(*monitor, 1));
    before_change = monitor->checkpoint();
    EXPECT_FALSE(before_change.baseline.empty());
    write_file(watched_ / "hosts", "10.0.0.1 evil\n");
    fs::remove(watched_ / "sub" / "config");
    monitor->request_full_check();
    ASSERT_TRUE(finish_full_checks(*monitor, 2));
    ASSERT_EQ(events_.size(), 2u) << describe(events_);
    after_change = monitor->checkpoint();
    EXPECT_EQ(after_change.baseline, before_change.baseline);
    EXPECT_EQ(after_change.change, before_change.change + 2);
  }  // the child dies here; the agent saved only `before_change`
  events_.clear();

  {
    auto monitor = start(config(), false, before_change);
    monitor->drain(events_);
    ASSERT_EQ(events_.size(), 2u) << "reported again at once: " << describe(events_);
    std::map<std::string, const CollectedEvent*> by_path;
    for (const CollectedEvent& event : events_) by_path[field(event, "file.path")] = &event;
    const CollectedEvent* modified = by_path[(watched_ / "hosts").string()];
    ASSERT_NE(modified, nullptr) << describe(events_);
    EXPECT_EQ(field(*modified, "event.action"), "modified");
    EXPECT_EQ(field(*modified, "file.old.hash.sha256"),
              crypto::sha256_hex("127.0.0.1 localhost\n"));
    EXPECT_EQ(field(*modified, "file.hash.sha256"), crypto::sha256_hex("10.0.0.1 evil\n"));
    EXPECT_EQ(field(*modified, "fim.trigger"), "scheduled");
    const CollectedEvent* deleted = by_path[(watched_ / "sub" / "config").string()];
    ASSERT_NE(deleted, nullptr) << describe(events_);
    EXPECT_EQ(field(*deleted, "event.action"), "deleted");
    EXPECT_EQ(field(*deleted, "file.old.hash.sha256"), crypto::sha256_hex("key=value\n"));
    EXPECT_EQ(monitor->checkpoint().change, after_change.change) << "handed over once drained";
    // The full check after the start finds the baseline up to date: no third report.
    ASSERT_TRUE(finish_full_checks(*monitor, 1));
    EXPECT_EQ(events_.size(), 2u) << describe(events_);
  }  // died again before the agent stored anything: still owed
  events_.clear();
  {
    auto monitor = start(config(), false, before_change);
    monitor->drain(events_);
    EXPECT_EQ(events_.size(), 2u) << describe(events_);
  }
  events_.clear();

  // The agent stored them and saved the checkpoint: nothing is reported twice, and the
  // acknowledged entries are pruned (an older checkpoint no longer brings them back).
  {
    auto monitor = start(config(), false, after_change);
    monitor->drain(events_);
    ASSERT_TRUE(finish_full_checks(*monitor, 1));
    EXPECT_TRUE(events_.empty()) << describe(events_);
  }
  auto monitor = start(config(), false, before_change);
  monitor->drain(events_);
  EXPECT_TRUE(events_.empty()) << describe(events_);
}

TEST_F(MonitorTest, ACheckpointHoldsBackChangesStillInAnOpenWindow) {
  auto monitor = start(config(), true);
  ASSERT_TRUE(finish_full_checks(*monitor, 1));
  const FimCheckpoint settled = monitor->checkpoint();
  write_file(watched_ / "hosts", "10.0.0.1 evil\n");
  // Named by inotify, checked when the window closes: until its event is out the checkpoint
  // must not move past it, whatever the baseline holds.
  ASSERT_TRUE(run_until(*monitor, [&] { return monitor->stats().pending_paths >= 1; }));
  EXPECT_EQ(monitor->checkpoint().change, settled.change);
  clock_.advance_ms(1000);
  ASSERT_TRUE(run_until(*monitor, [&] { return !events_.empty(); }));
  EXPECT_EQ(monitor->checkpoint().change, settled.change + 1);
}

TEST_F(MonitorTest, ACheckpointOfAnotherBaselineAcknowledgesNothing) {
  FimCheckpoint after_change;
  {
    auto monitor = start(config(), false);
    ASSERT_TRUE(finish_full_checks(*monitor, 1));
    write_file(watched_ / "hosts", "10.0.0.1 evil\n");
    monitor->request_full_check();
    ASSERT_TRUE(finish_full_checks(*monitor, 2));
    after_change = monitor->checkpoint();
  }
  events_.clear();
  // Saved against a baseline that was since removed and made anew, with higher numbers.
  auto monitor = start(config(), false, FimCheckpoint{"0123456789abcdef", 1'000'000});
  monitor->drain(events_);
  ASSERT_EQ(events_.size(), 1u) << describe(events_);
  EXPECT_EQ(field(events_[0], "file.path"), (watched_ / "hosts").string());
}

}  // namespace
}  // namespace sentinel::agent::fim
