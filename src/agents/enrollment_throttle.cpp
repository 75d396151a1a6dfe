#include "enrollment_throttle.h"

namespace sentinel::agents {

bool EnrollmentThrottle::blocked(std::string_view source, std::int64_t now_ms) const {
  if (max_failures_ <= 0) return false;
  std::lock_guard lock(mutex_);
  const auto it = windows_.find(source);
  return it != windows_.end() && now_ms - it->second.start_ms < window_ms_ &&
         it->second.failures >= max_failures_;
}

void EnrollmentThrottle::record_failure(std::string_view source, std::int64_t now_ms) {
  if (max_failures_ <= 0) return;
  std::lock_guard lock(mutex_);
  auto it = windows_.find(source);
  if (it == windows_.end()) {
    if (windows_.size() >= kMaxSources) {
      std::erase_if(windows_, [&](const auto& entry) {
        return now_ms - entry.second.start_ms >= window_ms_;
      });
      if (windows_.size() >= kMaxSources) return;
    }
    it = windows_.emplace(std::string(source), Window{now_ms, 0}).first;
  }
  if (now_ms - it->second.start_ms >= window_ms_) it->second = Window{now_ms, 0};
  ++it->second.failures;
}

}  // namespace sentinel::agents
