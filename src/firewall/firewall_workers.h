#pragma once
// The firewall service's own threads: pushes to agents wait on the channel for seconds, so they
// run here, never on the bus's delivery thread, and several agents are served at once.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::firewall {

/// A bounded first-in-first-out queue of tasks run by a fixed number of threads. Thread-safe.
class FirewallWorkers {
 public:
  /// A task is called once: with `run` true on a worker thread, or with `run` false (on the
  /// thread calling stop()) when the pool stopped before it ran, so that whoever waits for it
  /// can be told.
  using Task = std::function<void(bool run)>;

  FirewallWorkers(std::size_t threads, std::size_t max_queued);
  ~FirewallWorkers();
  FirewallWorkers(const FirewallWorkers&) = delete;
  FirewallWorkers& operator=(const FirewallWorkers&) = delete;

  void start();
  /// Queues a task; kUnavailable when the queue is full or the pool is stopping.
  Status submit(Task task);
  /// Refuses new tasks, calls the queued ones with false, waits for the running ones.
  /// Idempotent.
  void stop();

 private:
  void run();

  const std::size_t thread_count_;
  const std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Task> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sentinel::firewall
