#include "sentinel/scan/rate_limiter.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace sentinel::scan {

RateLimiter::RateLimiter(double per_second, double burst)
    : per_second_(per_second), burst_(std::max(burst, 1.0)), tokens_(burst_) {}

double RateLimiter::tokens_at(TimePoint now) const {
  if (!started_) return tokens_;
  const double elapsed = std::chrono::duration<double>(now - updated_).count();
  return std::min(burst_, tokens_ + std::max(elapsed, 0.0) * per_second_);
}

bool RateLimiter::try_acquire(TimePoint now) {
  if (unlimited()) return true;
  tokens_ = tokens_at(now);
  updated_ = now;
  started_ = true;
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

Duration RateLimiter::wait_time(TimePoint now) const {
  if (unlimited()) return Duration{0};
  const double missing = 1.0 - tokens_at(now);
  if (missing <= 0) return Duration{0};
  return Duration(static_cast<Duration::rep>(std::ceil(missing / per_second_ * 1e6)));
}

}  // namespace sentinel::scan
