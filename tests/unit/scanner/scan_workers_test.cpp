// The scanner's worker pool: at most N jobs at once, a bounded queue that says when it is full,
// cancel of queued and running jobs, and a stop that hands back what never ran.

#include "src/scanner/scan_workers.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "sentinel/scan/target_set.h"

namespace sentinel::scanner {
namespace {

using namespace std::chrono_literals;

QueuedScan job(std::int64_t id) {
  return {id, ScanPlan{scan::TargetSet::from_ranges({}), {.tcp = {80}}, "80", "key"}};
}

/// Jobs that run until cancelled, recording what ran and how many at once.
class BlockingJobs {
 public:
  void run(QueuedScan& scan, JobControl& control) {
    control.set_canceller([this] {
      std::lock_guard lock(mutex_);
      changed_.notify_all();
    });
    {
      std::lock_guard lock(mutex_);
      started_.insert(scan.id);
      ++running_;
      most_ = std::max(most_, running_);
      changed_.notify_all();
    }
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return control.cancelled() || released_.count(scan.id) > 0; });
    }
    // Read outside our lock: a cancel holds the control's lock while it calls our canceller.
    const std::string reason = control.cancelled() ? control.reason() : "finished";
    std::lock_guard lock(mutex_);
    --running_;
    reasons_[scan.id] = reason;
    changed_.notify_all();
  }

  void release(std::int64_t id) {
    std::lock_guard lock(mutex_);
    released_.insert(id);
    changed_.notify_all();
  }

  bool wait_started(std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 5s, [&] { return started_.size() >= count; });
  }

  bool wait_ended(std::int64_t id) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 5s, [&] { return reasons_.count(id) > 0; });
  }

  std::set<std::int64_t> started() {
    std::lock_guard lock(mutex_);
    return started_;
  }
  int most() {
    std::lock_guard lock(mutex_);
    return most_;
  }
  std::string reason(std::int64_t id) {
    std::lock_guard lock(mutex_);
    return reasons_[id];
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::set<std::int64_t> started_;
  std::set<std::int64_t> released_;
  std::map<std::int64_t, std::string> reasons_;
  int running_ = 0;
  int most_ = 0;
};

TEST(ScanWorkersTest, RunsAtMostTwoAtOnceAndQueuesTheRest) {
  BlockingJobs jobs;
  ScanWorkers workers(2, 8, [&](QueuedScan& s, JobControl& c) { jobs.run(s, c); });
  workers.start();
  for (std::int64_t id = 1; id <= 4; ++id) ASSERT_TRUE(workers.submit(job(id)));
  ASSERT_TRUE(jobs.wait_started(2));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(jobs.started(), (std::set<std::int64_t>{1, 2}));
  jobs.release(1);
  ASSERT_TRUE(jobs.wait_started(3));
  EXPECT_EQ(jobs.started(), (std::set<std::int64_t>{1, 2, 3}));
  jobs.release(2);
  jobs.release(3);
  jobs.release(4);
  ASSERT_TRUE(jobs.wait_ended(4));
  EXPECT_EQ(jobs.most(), 2);
  EXPECT_TRUE(workers.stop("test over").empty());
}

TEST(ScanWorkersTest, AFullQueueSaysSo) {
  BlockingJobs jobs;
  ScanWorkers workers(1, 2, [&](QueuedScan& s, JobControl& c) { jobs.run(s, c); });
  workers.start();
  ASSERT_TRUE(workers.submit(job(1)));
  ASSERT_TRUE(jobs.wait_started(1));
  ASSERT_TRUE(workers.submit(job(2)));
  ASSERT_TRUE(workers.submit(job(3)));
  const Status full = workers.submit(job(4));
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(full.error().message.find("queue is full"), std::string::npos);
  const auto dropped = workers.stop("shutting down");
  EXPECT_EQ(dropped, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(jobs.reason(1), "shutting down");
}

TEST(ScanWorkersTest, CancelTakesQueuedJobsOutAndStopsRunningOnes) {
  BlockingJobs jobs;
  ScanWorkers workers(1, 8, [&](QueuedScan& s, JobControl& c) { jobs.run(s, c); });
  workers.start();
  ASSERT_TRUE(workers.submit(job(1)));
  ASSERT_TRUE(workers.submit(job(2)));
  ASSERT_TRUE(jobs.wait_started(1));
  EXPECT_EQ(workers.cancel(2, "cancelled"), ScanWorkers::CancelOutcome::kDequeued);
  EXPECT_EQ(workers.cancel(1, "cancelled"), ScanWorkers::CancelOutcome::kSignalled);
  ASSERT_TRUE(jobs.wait_ended(1));
  EXPECT_EQ(jobs.reason(1), "cancelled");
  EXPECT_EQ(workers.cancel(99, "cancelled"), ScanWorkers::CancelOutcome::kNotHere);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(jobs.started(), std::set<std::int64_t>{1}) << "a dequeued job must never run";
}

TEST(ScanWorkersTest, AClosedPoolRefusesNewJobs) {
  ScanWorkers workers(1, 8, [](QueuedScan&, JobControl&) {});
  workers.start();
  workers.close();
  const Status refused = workers.submit(job(1));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
}

TEST(JobControlTest, ACancellerSetLateRunsAtOnceAndTheFirstReasonStays) {
  JobControl control;
  control.cancel("first");
  control.cancel("second");
  int calls = 0;
  control.set_canceller([&] { ++calls; });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(control.reason(), "first");
  EXPECT_TRUE(control.flag().load());
}

}  // namespace
}  // namespace sentinel::scanner
