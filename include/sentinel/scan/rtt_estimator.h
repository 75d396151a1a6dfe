#pragma once
// Round-trip time estimation for probe timeouts (RFC 6298), per host with a scan-wide fallback.

#include <chrono>
#include <cstdint>
#include <unordered_map>

#include "sentinel/scan/ip_address.h"
#include "sentinel/scan/scan_clock.h"

namespace sentinel::scan {

/// Timeout bounds. The defaults follow nmap -T4: a timeout is never below 100 ms (a late answer
/// costs a retransmission and a wrong "filtered") nor above 1.25 s (absent hosts cost it once).
struct RttBounds {
  /// The timeout before any answer was seen.
  Duration initial = std::chrono::milliseconds(500);
  Duration min = std::chrono::milliseconds(100);
  Duration max = std::chrono::milliseconds(1250);
};

/// RFC 6298 smoothed RTT and variance from answered probes; timeout = SRTT + 4·RTTVAR within
/// the bounds. There is no exponential backoff: an unanswered probe is a filtered port far more
/// often than a slower host. A plain value; not thread-safe.
class RttEstimator {
 public:
  explicit RttEstimator(RttBounds bounds = {}) : bounds_(bounds) {}

  /// Adds the round-trip time of one answered probe (never of an ambiguous retransmission).
  void add_sample(Duration rtt);
  /// How long to wait for the answer to a probe sent now.
  Duration timeout() const;
  bool has_samples() const { return samples_ > 0; }
  std::uint64_t samples() const { return samples_; }
  Duration srtt() const { return srtt_; }
  Duration rttvar() const { return rttvar_; }

 private:
  RttBounds bounds_;
  Duration srtt_{0};
  Duration rttvar_{0};
  std::uint64_t samples_ = 0;
};

/// One estimator per host that has answered, and a scan-wide one that every answer feeds and
/// that hosts without answers use (so an absent host costs the typical timeout, not the
/// maximum). Not thread-safe: owned by the scan loop.
class HostRttTable {
 public:
  explicit HostRttTable(RttBounds bounds = {}) : bounds_(bounds), global_(bounds) {}

  void add_sample(IpAddress host, Duration rtt);
  /// The timeout for a probe to `host`.
  Duration timeout(IpAddress host) const;
  const RttEstimator& global() const { return global_; }

 private:
  RttBounds bounds_;
  RttEstimator global_;
  std::unordered_map<IpAddress, RttEstimator> hosts_;
};

}  // namespace sentinel::scan
