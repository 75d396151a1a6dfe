#include "sentinel/events/event_retention.h"

#include <spdlog/spdlog.h>

namespace sentinel::events {
namespace {

// Rows per DELETE: short transactions, so that ingest never waits long for the writer lock.
constexpr std::int64_t kBatch = 5000;

}  // namespace

Status EventRetention::start() {
  thread_ = std::thread([this] { run(); });
  return ok();
}

void EventRetention::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<std::int64_t> EventRetention::sweep() {
  const std::int64_t cutoff = clock_.now_ms() - retention_ms_;
  std::int64_t total = 0;
  while (true) {
    SENTINEL_ASSIGN(deleted, store_.delete_older_than(cutoff, kBatch));
    total += deleted;
    if (deleted < kBatch) break;
    std::lock_guard lock(mutex_);
    if (stopping_) break;
  }
  if (total > 0) {
    metrics_.count("sentinel_events_expired_total", "Events deleted by the retention setting", {},
                   static_cast<double>(total));
  }
  return total;
}

void EventRetention::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    if (Result<std::int64_t> swept = sweep(); !swept) {
      spdlog::warn("event retention: {}", swept.error().message);
    } else if (*swept > 0) {
      spdlog::info("event retention: deleted {} events older than {} days", *swept,
                   retention_ms_ / (24 * 3600 * 1000));
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [&] { return stopping_; });
  }
}

}  // namespace sentinel::events
