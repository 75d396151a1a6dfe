#pragma once
// Failed enrolments per source address. The enrolment route is public: tokens cannot be guessed,
// but a flood of bad ones still costs database reads and log lines.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace sentinel::agents {

/// A fixed window per source address. Per process (a replica counts its own). Thread-safe.
class EnrollmentThrottle {
 public:
  /// `max_failures` <= 0 turns the throttle off.
  EnrollmentThrottle(int max_failures, std::int64_t window_ms)
      : max_failures_(max_failures), window_ms_(window_ms) {}

  /// True when `source` failed `max_failures` times in its current window.
  bool blocked(std::string_view source, std::int64_t now_ms) const;
  void record_failure(std::string_view source, std::int64_t now_ms);

 private:
  struct Window {
    std::int64_t start_ms = 0;
    int failures = 0;
  };
  // Beyond this many sources, new ones are not tracked until old windows expire.
  static constexpr std::size_t kMaxSources = 10000;

  const int max_failures_;
  const std::int64_t window_ms_;
  mutable std::mutex mutex_;
  std::map<std::string, Window, std::less<>> windows_;
};

}  // namespace sentinel::agents
