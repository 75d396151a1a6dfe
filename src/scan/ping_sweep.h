#pragma once
// Unprivileged ICMP echo: the "ping sockets" (SOCK_DGRAM, IPPROTO_ICMP) that Linux opens to
// the groups in net.ipv4.ping_group_range, without CAP_NET_RAW.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>

#include "sentinel/common/result.h"
#include "sentinel/scan/port_scanner.h"
#include "sentinel/scan/target_set.h"
#include "sweep_rounds.h"

namespace sentinel::scan {

/// Pings every wanted host of a target set in rounds (one per attempt), each reply validated
/// by a keyed tag in the echo payload, which also carries the host index and the send time:
/// no per-host state but a byte. The kernel picks the echo identifier and hands each socket
/// only the replies to its own identifier. run() once, from one thread; cancel() from any.
class PingSweep {
 public:
  /// Opens the ICMP (and ICMPv6) datagram sockets `targets` needs. kPermissionDenied when the
  /// process's group is outside ping_group_range.
  static Result<std::unique_ptr<PingSweep>> open(const TargetSet& targets);
  ~PingSweep();
  PingSweep(const PingSweep&) = delete;
  PingSweep& operator=(const PingSweep&) = delete;

  /// Host index -> whether to ping it (false: settled already).
  using Wanted = std::function<bool(std::uint64_t index)>;
  /// The first reply of a host: its index and round-trip time.
  using OnReply = std::function<void(std::uint64_t index, Duration rtt)>;

  /// Pings the wanted hosts of `targets` (the set given to open()) in keyed-permutation order,
  /// max_retries + 1 rounds at most, at most limits.max_rate requests a second, waiting one
  /// timeout (RttBounds, from the replies seen) after each round.
  Result<ScanOutcome> run(const TargetSet& targets, const ScanLimits& limits, std::uint64_t seed,
                          const Wanted& wanted, const OnReply& on_reply);
  /// Stops a running sweep soon. Thread-safe.
  void cancel() { rounds_.cancel(); }
  std::uint64_t requests_sent() const { return rounds_.requests_sent(); }

 private:
  PingSweep() = default;

  int v4_fd_ = -1;
  int v6_fd_ = -1;
  std::array<std::uint8_t, 16> key_{};
  SweepRounds rounds_{"ping sweep"};
};

}  // namespace sentinel::scan
