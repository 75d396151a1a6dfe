#pragma once
// The per-scan cap on probes per second.

#include "sentinel/scan/scan_clock.h"

namespace sentinel::scan {

/// A token bucket: `per_second` tokens a second, at most `burst` saved up (the bucket starts
/// full). A rate of 0 or less means unlimited. Not thread-safe: owned by the scan loop.
class RateLimiter {
 public:
  RateLimiter(double per_second, double burst);

  /// Takes one token if there is one at `now`.
  bool try_acquire(TimePoint now);
  /// How long from `now` until a token is available (zero when one is).
  Duration wait_time(TimePoint now) const;
  bool unlimited() const { return per_second_ <= 0; }

 private:
  /// Tokens at `now`, without changing state.
  double tokens_at(TimePoint now) const;

  double per_second_;
  double burst_;
  double tokens_;
  TimePoint updated_{};
  bool started_ = false;
};

}  // namespace sentinel::scan
