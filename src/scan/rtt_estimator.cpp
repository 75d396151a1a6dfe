#include "sentinel/scan/rtt_estimator.h"

#include <algorithm>

namespace sentinel::scan {

void RttEstimator::add_sample(Duration rtt) {
  rtt = std::max(rtt, Duration{0});
  if (samples_ == 0) {
    // RFC 6298 2.2.
    srtt_ = rtt;
    rttvar_ = rtt / 2;
  } else {
    // RFC 6298 2.3 with alpha = 1/8, beta = 1/4; RTTVAR uses the SRTT before this sample.
    const Duration deviation = srtt_ > rtt ? srtt_ - rtt : rtt - srtt_;
    rttvar_ = (3 * rttvar_ + deviation) / 4;
    srtt_ = (7 * srtt_ + rtt) / 8;
  }
  ++samples_;
}

Duration RttEstimator::timeout() const {
  if (samples_ == 0) return std::clamp(bounds_.initial, bounds_.min, bounds_.max);
  // The clock granularity G of RFC 6298 is one microsecond here.
  const Duration timeout = srtt_ + std::max(Duration{1}, 4 * rttvar_);
  return std::clamp(timeout, bounds_.min, bounds_.max);
}

void HostRttTable::add_sample(IpAddress host, Duration rtt) {
  global_.add_sample(rtt);
  hosts_.try_emplace(host, bounds_).first->second.add_sample(rtt);
}

Duration HostRttTable::timeout(IpAddress host) const {
  const auto found = hosts_.find(host);
  return found == hosts_.end() ? global_.timeout() : found->second.timeout();
}

}  // namespace sentinel::scan
