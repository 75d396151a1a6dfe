#include "long_running_lane.h"

#include <fmt/format.h>

namespace sentinel::gateway {

LongRunningLane::LongRunningLane(int threads, int queue, MetricsRegistry& metrics)
    : limit_(threads + queue), metrics_(metrics) {
  std::lock_guard lock(mutex_);
  publish_locked();  // 0 from the start, so that a dashboard finds the series
}

int LongRunningLane::admitted() const {
  std::lock_guard lock(mutex_);
  return admitted_;
}

bool LongRunningLane::try_admit() {
  std::lock_guard lock(mutex_);
  if (admitted_ >= limit_) return false;
  ++admitted_;
  publish_locked();
  return true;
}

void LongRunningLane::release() {
  std::lock_guard lock(mutex_);
  --admitted_;
  publish_locked();
}

// Under the lock, so that the gauge never shows an older count after a newer one.
void LongRunningLane::publish_locked() {
  static const std::string kName = "sentinel_http_long_running_in_flight";
  static const std::string kHelp =
      "Long-running HTTP requests admitted: running on their pool or waiting for a thread of it";
  metrics_.set_gauge(kName, kHelp, {}, static_cast<double>(admitted_));
}

Response LongRunningLane::refuse(const std::string& route, const std::string& method) {
  static const std::string kName = "sentinel_http_long_running_refused_total";
  static const std::string kHelp =
      "Long-running HTTP requests refused with 503 because every place of their pool (threads "
      "and queue) was taken, by route pattern and method";
  metrics_.count(kName, kHelp, {{"route", route}, {"method", method}});
  Response response = error_response(
      Error{ErrorCode::kUnavailable,
            fmt::format("The server is busy with long-running requests (feed refreshes, firewall "
                        "applies, agent commands, scans); try again in {} seconds.",
                        kLongRunningRetryAfterSeconds),
            "server_busy",
            {}});
  response.headers.emplace_back("Retry-After", std::to_string(kLongRunningRetryAfterSeconds));
  return response;
}

}  // namespace sentinel::gateway
