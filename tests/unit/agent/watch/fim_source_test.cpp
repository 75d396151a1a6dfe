// The FIM source's collector.stats events, on real files and an injected clock: one when the
// baseline is complete (with its size and how long it took, and the line the agent logs), one
// per later full check with the changes and batches it reported, and between checks one a
// minute only while the counters move. Its checkpoint names the last change handed over; a
// source started from an older one reports the changes after it again.

#include "agent/watch/fim_source.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "agent/collectors/fim/stats_event.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/agent/collected_event_field.h"

namespace sentinel::agent::watch {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::seconds kDeadline{60};

void write_file(const fs::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

std::vector<CollectedEvent> of_type(const std::vector<CollectedEvent>& events,
                                    std::string_view type) {
  std::vector<CollectedEvent> out;
  for (const CollectedEvent& event : events) {
    if (event.type == type) out.push_back(event);
  }
  return out;
}

// A clock that moves 1 ms each time it is read, so that a full check finished within one poll
// still takes a measurable time; the test moves it further when it wants minutes to pass.
class SteppingClock final : public Clock {
 public:
  explicit SteppingClock(std::int64_t start_ms) : now_(start_ms) {}
  std::int64_t now_ms() const override { return now_.fetch_add(1) + 1; }
  void advance_ms(std::int64_t delta) { now_ += delta; }
  void set_ms(std::int64_t ms) { now_ = ms; }

 private:
  mutable std::atomic<std::int64_t> now_;
};

class FimSourceStatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(watched_ / "sub");
    write_file(watched_ / "hosts", "127.0.0.1 localhost\n");
    write_file(watched_ / "sub" / "config", "key=value\n");
    fs::create_directories(watched_ / "bulk");
    for (int i = 0; i < kBulkFiles; ++i) {
      write_file(watched_ / "bulk" / ("f" + std::to_string(i)), "v1");
    }
  }

  std::unique_ptr<FimSource> start(bool realtime, std::int64_t interval_s,
                                   const boost::json::value& checkpoint = nullptr) {
    fim::MonitorOptions options;
    options.resume = FimSource::resume_from(checkpoint);
    options.config.paths = {watched_.string()};
    options.config.full_check_interval_s = interval_s;
    options.state_dir = state_.string();
    options.realtime = realtime;
    auto source = FimSource::start(std::move(options), clock_);
    EXPECT_TRUE(source) << source.error().message;
    return source ? std::move(*source) : nullptr;
  }

  /// Polls, moving the clock by `step_ms` each time, until `done` holds; false after kDeadline.
  bool poll_until(FimSource& source, std::int64_t step_ms, const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      source.poll(events_);
      clock_.advance_ms(step_ms);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }

  std::vector<CollectedEvent> stats() const { return of_type(events_, "collector.stats"); }

  /// The stats of finished full checks. A slow machine may see once-a-minute reports of the
  /// stepping clock before the first check ends; those are not what these tests look at.
  std::vector<CollectedEvent> checks() const {
    std::vector<CollectedEvent> out;
    for (const CollectedEvent& event : stats()) {
      if (field(event, "event.reason") == "full_check_finished") out.push_back(event);
    }
    return out;
  }

  static constexpr int kBulkFiles = 120;  // over the batch threshold of 100
  // The watched directory, hosts, sub, sub/config, bulk and its files.
  static constexpr int kBaselinePaths = 5 + kBulkFiles;

  test::TempDir dir_{"fim-source"};
  fs::path watched_ = dir_.path() / "watched";
  fs::path state_ = dir_.path() / "state";
  SteppingClock clock_{1'700'000'000'000};
  std::vector<CollectedEvent> events_;
};

TEST_F(FimSourceStatsTest, BaselineAndEachFullCheckAreReportedWithTheirCounts) {
  auto source = start(false, 3600);
  ASSERT_TRUE(source);
  const std::int64_t started_ms = clock_.now_ms();
  ASSERT_TRUE(poll_until(*source, 3, [&] { return !checks().empty(); }));
  ASSERT_EQ(checks().size(), 1u);
  const CollectedEvent baseline = checks()[0];
  EXPECT_EQ(field(baseline, "collector.name"), "fim");
  EXPECT_EQ(field(baseline, "event.reason"), "full_check_finished");
  EXPECT_EQ(field(baseline, "fim.full_checks"), "1");
  EXPECT_EQ(field(baseline, "fim.baseline_paths"), std::to_string(kBaselinePaths));
  EXPECT_EQ(field(baseline, "fim.files_hashed"), std::to_string(kBulkFiles + 2));
  EXPECT_EQ(field(baseline, "fim.changes"), "0") << "the baseline itself reports nothing";
  EXPECT_EQ(field(baseline, "fim.batches"), "0");
  EXPECT_EQ(field(baseline, "fim.unreadable"), "0");
  // The check took time on the clock, at most what passed since the source started.
  const std::int64_t took = std::stoll(field(baseline, "fim.last_full_check_ms"));
  EXPECT_GT(took, 0);
  EXPECT_LE(took, clock_.now_ms() - started_ms);
  EXPECT_EQ(fim::baseline_complete_message(baseline),
            "fim: baseline complete paths=" + std::to_string(kBaselinePaths) +
                " duration_ms=" + std::to_string(took) + " full_checks=1 unreadable=0");

  // A package upgrade rewrites a directory, an admin edits a file; the next check reports them.
  for (int i = 0; i < kBulkFiles; ++i) {
    write_file(watched_ / "bulk" / ("f" + std::to_string(i)), "v2");
  }
  write_file(watched_ / "hosts", "10.0.0.1 evil\n");
  clock_.advance_ms(3600 * 1000);
  ASSERT_TRUE(poll_until(*source, 3, [&] { return checks().size() >= 2; }));
  const CollectedEvent second = checks().back();
  EXPECT_EQ(field(second, "event.reason"), "full_check_finished");
  EXPECT_EQ(field(second, "fim.full_checks"), "2");
  EXPECT_EQ(field(second, "fim.changes"), "1");
  EXPECT_EQ(field(second, "fim.batches"), "1");
  EXPECT_EQ(field(second, "fim.batched_changes"), std::to_string(kBulkFiles));
  EXPECT_EQ(field(second, "fim.baseline_paths"), std::to_string(kBaselinePaths));
  EXPECT_EQ(of_type(events_, "fim").size(), 1u);
  EXPECT_EQ(of_type(events_, "fim.batch").size(), 1u);
  EXPECT_EQ(fim::baseline_complete_message(second), std::nullopt) << "only the first check";
}

TEST_F(FimSourceStatsTest, BetweenChecksCountersAreReportedOnceAMinuteWhileTheyMove) {
  auto source = start(true, 3600);
  ASSERT_TRUE(source);
  ASSERT_TRUE(poll_until(*source, 3, [&] { return !checks().empty(); }));
  const std::int64_t baseline_ms = clock_.now_ms();
  const std::size_t reports = stats().size();  // a slow baseline may follow interval reports

  write_file(watched_ / "hosts", "10.0.0.1 evil\n");
  // Moving the clock 50 ms a poll closes the 1 s window soon after inotify names the file.
  ASSERT_TRUE(poll_until(*source, 50, [&] { return !of_type(events_, "fim").empty(); }));
  ASSERT_LT(clock_.now_ms(), baseline_ms + FimSource::kStatsIntervalMs);
  EXPECT_EQ(stats().size(), reports) << "no second report within the minute";

  clock_.set_ms(baseline_ms + FimSource::kStatsIntervalMs);
  source->poll(events_);
  ASSERT_EQ(stats().size(), reports + 1);
  const CollectedEvent periodic = stats().back();
  EXPECT_EQ(field(periodic, "event.reason"), "interval");
  EXPECT_EQ(field(periodic, "fim.full_checks"), "1");
  EXPECT_EQ(field(periodic, "fim.realtime_windows"), "1");
  EXPECT_EQ(field(periodic, "fim.changes"), "1");
  EXPECT_EQ(fim::baseline_complete_message(periodic), std::nullopt);

  // Nothing moves: a quiet host sends no stats.
  clock_.advance_ms(5 * FimSource::kStatsIntervalMs);
  for (int i = 0; i < 5; ++i) source->poll(events_);
  EXPECT_EQ(stats().size(), reports + 1);
}

TEST(FimStatsEventTest, CarriesErrorCountersAndLeavesOutWhatIsNotKnown) {
  fim::MonitorStats counters;
  counters.unreadable = 3;
  counters.queue_overflows = 1;
  counters.baseline_errors = 2;
  counters.unwatched_directories = 4;
  const CollectedEvent event =
      fim::stats_event(counters, -1, fim::StatsReason::kInterval, 1'700'000'000'000);
  EXPECT_EQ(event.type, "collector.stats");
  EXPECT_EQ(event.time_ms, 1'700'000'000'000);
  EXPECT_EQ(field(event, "fim.unreadable"), "3");
  EXPECT_EQ(field(event, "fim.queue_overflows"), "1");
  EXPECT_EQ(field(event, "fim.baseline_errors"), "2");
  EXPECT_EQ(field(event, "fim.unwatched_directories"), "4");
  EXPECT_EQ(field(event, "fim.baseline_paths"), "<absent>") << "the count query failed";
  EXPECT_EQ(field(event, "fim.last_full_check_ms"), "<absent>") << "no check finished yet";

  // Another collector's stats never read as a complete baseline.
  CollectedEvent logs = event;
  logs.fields[0].value = "logs";
  EXPECT_EQ(fim::baseline_complete_message(logs), std::nullopt);
}

TEST_F(FimSourceStatsTest, ARestartFromACheckpointBeforeAChangeReportsItAgain) {
  boost::json::value before_change;
  boost::json::value after_change;
  {
    auto source = start(false, 3600);
    ASSERT_TRUE(source);
    // The baseline is done (not merely reported on): a change made while it runs is part of it.
    ASSERT_TRUE(poll_until(*source, 3, [&] { return !checks().empty(); }));
    before_change = source->checkpoint();
    ASSERT_TRUE(before_change.is_object());
    EXPECT_TRUE(before_change.at("baseline").is_string());
    write_file(watched_ / "hosts", "10.0.0.1 evil\n");
    clock_.advance_ms(3600 * 1000);
    ASSERT_TRUE(poll_until(*source, 3, [&] { return !of_type(events_, "fim").empty(); }));
    after_change = source->checkpoint();
    EXPECT_EQ(after_change.at("change").as_int64(), before_change.at("change").as_int64() + 1);
  }  // handed over, but the agent died before it spooled the event and saved `after_change`
  events_.clear();
  {
    auto source = start(false, 3600, before_change);
    ASSERT_TRUE(source);
    source->poll(events_);
    const auto fim_events = of_type(events_, "fim");
    ASSERT_EQ(fim_events.size(), 1u);
    EXPECT_EQ(field(fim_events[0], "file.path"), (watched_ / "hosts").string());
    EXPECT_EQ(field(fim_events[0], "event.action"), "modified");
    EXPECT_EQ(source->checkpoint(), after_change);
  }
  events_.clear();
  auto source = start(false, 3600, after_change);
  ASSERT_TRUE(source);
  ASSERT_TRUE(poll_until(*source, 3, [&] { return !checks().empty(); }));
  EXPECT_TRUE(of_type(events_, "fim").empty()) << "stored once: not again";
}

TEST(FimSourceResume, AMalformedCheckpointResumesFromNothing) {
  EXPECT_EQ(FimSource::resume_from(nullptr).change, 0);
  EXPECT_EQ(FimSource::resume_from(boost::json::value{{"baseline", "ab"}, {"change", -4}}).change,
            0);
  EXPECT_EQ(FimSource::resume_from(boost::json::value{{"baseline", 1}, {"change", 4}}).change, 0);
  const fim::FimCheckpoint good =
      FimSource::resume_from(boost::json::value{{"baseline", "ab"}, {"change", 4}});
  EXPECT_EQ(good.baseline, "ab");
  EXPECT_EQ(good.change, 4);
}

}  // namespace
}  // namespace sentinel::agent::watch
