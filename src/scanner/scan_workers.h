#pragma once
// The scanner's worker pool: a bounded queue of checked scans and a few threads that run them,
// never the gateway's I/O or request threads.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "scan_plan.h"
#include "sentinel/common/result.h"

namespace sentinel::scanner {

/// A job's stop switch, shared by the worker running it and whoever cancels it. Thread-safe.
class JobControl {
 public:
  /// Stops the job: sets the flag and calls the canceller (the running engine's cancel). The
  /// first reason is kept.
  void cancel(std::string reason);
  bool cancelled() const { return cancelled_.load(); }
  /// The flag itself, for collaborators that poll it.
  const std::atomic<bool>& flag() const { return cancelled_; }
  std::string reason() const;
  /// What cancel() calls from now on (under a lock: it must be quick and must not call back);
  /// called at once when the job is already cancelled. An empty function removes it, and
  /// returns only when no call of the old one is running.
  void set_canceller(std::function<void()> canceller);

 private:
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mutex_;
  std::string reason_;
  std::function<void()> canceller_;
};

/// A job ready to run: its id, its checked plan, and the agents that scan it (none: the server).
struct QueuedScan {
  std::int64_t id = 0;
  ScanPlan plan;
  std::optional<AgentSelection> agents;
  std::optional<NmapOptions> nmap;
  bool discovery = false;  // find live hosts first, port-scan only those (any backend, agents too)
  ProbeLimits limits;      // the job's rate and concurrency caps (any backend, agents too)
};

/// Runs queued scans on `threads` threads, first in first out. Thread-safe.
class ScanWorkers {
 public:
  /// Called on a worker thread for each job; must return soon after the control is cancelled.
  using RunJob = std::function<void(QueuedScan&, JobControl&)>;

  ScanWorkers(std::size_t threads, std::size_t max_queued, RunJob run);
  ~ScanWorkers();
  ScanWorkers(const ScanWorkers&) = delete;
  ScanWorkers& operator=(const ScanWorkers&) = delete;

  /// Starts the threads.
  void start();
  /// Queues a job. kUnavailable when the queue holds max_queued jobs or the pool is closed.
  Status submit(QueuedScan scan);

  enum class CancelOutcome { kNotHere, kDequeued, kSignalled };
  /// Takes a queued job out of the queue, or tells a running one to stop.
  CancelOutcome cancel(std::int64_t id, const std::string& reason);
  /// Refuses new jobs from now on; queued and running ones go on.
  void close();
  /// close(), empties the queue, cancels the running jobs with `reason` and waits for them.
  /// Returns the ids of the jobs taken out of the queue (never run).
  std::vector<std::int64_t> stop(const std::string& reason);

 private:
  void work();

  const std::size_t thread_count_;
  const std::size_t max_queued_;
  RunJob run_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<QueuedScan> queue_;
  std::map<std::int64_t, std::shared_ptr<JobControl>> running_;
  bool closed_ = false;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sentinel::scanner
