#pragma once
// Deletes events older than the retention setting (events.retention_days), in small batches, at
// start and then every hour.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "sentinel/common/clock.h"
#include "sentinel/common/metrics.h"
#include "sentinel/events/event_store.h"
#include "sentinel/server/service.h"

namespace sentinel::events {

/// One thread of its own. Several replicas may run it: each DELETE is idempotent.
class EventRetention : public server::Service {
 public:
  EventRetention(EventStore& store, std::int64_t retention_days, const Clock& clock,
                 MetricsRegistry& metrics,
                 std::chrono::milliseconds interval = std::chrono::hours(1))
      : store_(store),
        retention_ms_(retention_days * 24 * 3600 * 1000),
        clock_(clock),
        metrics_(metrics),
        interval_(interval) {}
  ~EventRetention() override { stop(); }

  std::string_view name() const override { return "event-retention"; }
  Status start() override;
  void stop() override;

  /// Deletes what is due now on the calling thread; returns how many events went.
  Result<std::int64_t> sweep();

 private:
  void run();

  EventStore& store_;
  const std::int64_t retention_ms_;
  const Clock& clock_;
  MetricsRegistry& metrics_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sentinel::events
