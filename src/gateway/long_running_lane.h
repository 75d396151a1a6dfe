#pragma once
// Admission to the long-running pool (Route::long_running): a bounded count of the requests
// waiting for a thread of it or running on one, and the answer to those beyond the bound.

#include <mutex>
#include <string>

#include "sentinel/common/metrics.h"
#include "sentinel/gateway/http.h"

namespace sentinel::gateway {

/// What a refused client is asked to wait (Retry-After): long-running requests take seconds each,
/// so by then some have ended and their places are free again.
inline constexpr int kLongRunningRetryAfterSeconds = 5;

/// Admits at most `threads + queue` long-running requests at once (running on the pool's
/// `threads`, or among the `queue` waiting for one), so that a flood of them is refused at once
/// instead of queueing without limit, each holding a connection until its turn. The count is the
/// gauge sentinel_http_long_running_in_flight. `metrics` must outlive the lane. Thread-safe.
class LongRunningLane {
 public:
  LongRunningLane(int threads, int queue, MetricsRegistry& metrics);

  /// Requests admitted now.
  int admitted() const;

  /// The answer to a request of `route` (the pattern) and `method` that found the lane full: 503
  /// in the API's error format with Retry-After, counted in
  /// sentinel_http_long_running_refused_total{route,method}.
  Response refuse(const std::string& route, const std::string& method);

 private:
  friend class LanePlace;
  bool try_admit();
  void release();
  void publish_locked();

  const int limit_;
  MetricsRegistry& metrics_;
  mutable std::mutex mutex_;
  int admitted_ = 0;
};

/// A request's place in a LongRunningLane while this lives, when the lane had one: given back
/// however the request ends (answered, an exception, its coroutine destroyed at stop(), the
/// client gone). Not copyable.
class LanePlace {
 public:
  explicit LanePlace(LongRunningLane& lane) : lane_(lane.try_admit() ? &lane : nullptr) {}
  LanePlace(const LanePlace&) = delete;
  LanePlace& operator=(const LanePlace&) = delete;
  ~LanePlace() {
    if (lane_ != nullptr) lane_->release();
  }

  /// False when the lane was full: answer LongRunningLane::refuse() instead of running it.
  bool admitted() const { return lane_ != nullptr; }

 private:
  LongRunningLane* lane_;
};

}  // namespace sentinel::gateway
