#include "firewall_workers.h"

#include <fmt/format.h>

namespace sentinel::firewall {

FirewallWorkers::FirewallWorkers(std::size_t threads, std::size_t max_queued)
    : thread_count_(threads), max_queued_(max_queued) {}

FirewallWorkers::~FirewallWorkers() { stop(); }

void FirewallWorkers::start() {
  std::lock_guard lock(mutex_);
  if (!threads_.empty() || stopping_) return;
  for (std::size_t i = 0; i < thread_count_; ++i) threads_.emplace_back([this] { run(); });
}

Status FirewallWorkers::submit(Task task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return unavailable("the firewall service is stopping");
    if (queue_.size() >= max_queued_) {
      return unavailable(
          fmt::format("the firewall service has {} pushes waiting; try again later", max_queued_));
    }
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
  return ok();
}

void FirewallWorkers::stop() {
  std::deque<Task> dropped;
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    dropped.swap(queue_);
    threads.swap(threads_);
  }
  wake_.notify_all();
  for (Task& task : dropped) task(false);
  for (std::thread& thread : threads) thread.join();
}

void FirewallWorkers::run() {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task(true);
  }
}

}  // namespace sentinel::firewall
