#include "scan_workers.h"

#include <algorithm>
#include <optional>

namespace sentinel::scanner {

// The canceller runs under the lock, so that set_canceller({}) returns only when no call of
// it is in flight: after that its target (the running engine) may be destroyed.
void JobControl::cancel(std::string reason) {
  std::lock_guard lock(mutex_);
  if (!cancelled_.exchange(true)) reason_ = std::move(reason);
  if (canceller_) canceller_();
}

std::string JobControl::reason() const {
  std::lock_guard lock(mutex_);
  return reason_;
}

void JobControl::set_canceller(std::function<void()> canceller) {
  std::lock_guard lock(mutex_);
  canceller_ = std::move(canceller);
  if (cancelled_.load() && canceller_) canceller_();
}

ScanWorkers::ScanWorkers(std::size_t threads, std::size_t max_queued, RunJob run)
    : thread_count_(std::max<std::size_t>(threads, 1)),
      max_queued_(max_queued),
      run_(std::move(run)) {}

ScanWorkers::~ScanWorkers() { stop("the scanner stopped"); }

void ScanWorkers::start() {
  std::lock_guard lock(mutex_);
  if (!threads_.empty() || stopping_) return;
  for (std::size_t i = 0; i < thread_count_; ++i) threads_.emplace_back([this] { work(); });
}

Status ScanWorkers::submit(QueuedScan scan) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return unavailable("the scanner is shutting down; no new scans are taken");
    if (queue_.size() >= max_queued_) {
      return unavailable("the scan queue is full (" + std::to_string(max_queued_) +
                         " jobs wait); try again when some have run");
    }
    queue_.push_back(std::move(scan));
  }
  wake_.notify_one();
  return ok();
}

ScanWorkers::CancelOutcome ScanWorkers::cancel(std::int64_t id, const std::string& reason) {
  std::shared_ptr<JobControl> control;
  {
    std::lock_guard lock(mutex_);
    const auto queued = std::find_if(queue_.begin(), queue_.end(),
                                     [id](const QueuedScan& scan) { return scan.id == id; });
    if (queued != queue_.end()) {
      queue_.erase(queued);
      return CancelOutcome::kDequeued;
    }
    const auto running = running_.find(id);
    if (running == running_.end()) return CancelOutcome::kNotHere;
    control = running->second;
  }
  control->cancel(reason);
  return CancelOutcome::kSignalled;
}

void ScanWorkers::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
}

std::vector<std::int64_t> ScanWorkers::stop(const std::string& reason) {
  std::vector<std::int64_t> dropped;
  std::vector<std::shared_ptr<JobControl>> running;
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    stopping_ = true;
    for (const QueuedScan& scan : queue_) dropped.push_back(scan.id);
    queue_.clear();
    for (const auto& [id, control] : running_) running.push_back(control);
    threads.swap(threads_);
  }
  wake_.notify_all();
  for (const auto& control : running) control->cancel(reason);
  for (std::thread& thread : threads) thread.join();
  return dropped;
}

void ScanWorkers::work() {
  while (true) {
    std::optional<QueuedScan> scan;
    auto control = std::make_shared<JobControl>();
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      scan.emplace(std::move(queue_.front()));
      queue_.pop_front();
      running_[scan->id] = control;
    }
    run_(*scan, *control);
    std::lock_guard lock(mutex_);
    running_.erase(scan->id);
  }
}

}  // namespace sentinel::scanner
