#pragma once
// A fixed set of threads running queued tasks in order. Agent frames are handled here so that a
// large or hostile frame never holds up an I/O thread.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sentinel::agents {

/// Unbounded by design: each agent connection has at most one frame queued (the gateway reads
/// the next only after the previous is done), so connections bound it. Thread-safe.
class ChannelWorkers {
 public:
  explicit ChannelWorkers(int threads) : count_(threads) {}
  ~ChannelWorkers() { stop(); }
  ChannelWorkers(const ChannelWorkers&) = delete;
  ChannelWorkers& operator=(const ChannelWorkers&) = delete;

  void start() {
    for (int i = 0; i < count_; ++i) threads_.emplace_back([this] { run(); });
  }
  /// Runs what is queued, then joins.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
  }
  void post(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    wake_.notify_one();
  }

 private:
  void run() {
    while (true) {
      std::function<void()> task;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  int count_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sentinel::agents
