#pragma once
// The unprivileged UDP port scanner: a connected UDP socket per probe, one epoll loop, protocol
// payloads per port, and a guard against ICMP rate limiting.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/port_scanner.h"
#include "sentinel/scan/scan_scope.h"
#include "sentinel/scan/target_set.h"
#include "sentinel/scan/udp_payloads.h"

namespace sentinel::scan {

/// Addresses one UDP scan takes at most: every target has a few dozen bytes of state for the
/// whole scan; larger jobs are sharded.
inline constexpr std::uint64_t kMaxUdpScanTargets = std::uint64_t{1} << 20;

/// A UDP scan reads a closed port from the ICMP port unreachable its host sends back, and hosts
/// ration those: Linux sends one a second to each destination after a burst of six
/// (net.ipv4.icmp_ratelimit = 1000 ms, net.ipv4.icmp_msgs_per_sec for all destinations), so a
/// fast sweep hears silence from most closed ports. When a host has sent any ICMP error and
/// some of its ports stayed silent through every retransmission, those ports are asked again
/// once the host's sweep is over, one probe per `confirm_interval` to that host, before they
/// are called open|filtered.
struct IcmpRateLimitGuard {
  /// Spacing of the confirmation probes to one host: Linux's default per-destination limit.
  /// Doubled (up to four times) for a host that still loses errors at this pace.
  std::chrono::microseconds confirm_interval = std::chrono::seconds(1);
  /// Probes per silent port in confirmation (1-10); 0 turns confirmation off, which is fast but
  /// reads closed ports behind a rate limit as open|filtered.
  int confirm_attempts = 2;
  /// Targets in 127.0.0.0/8 and ::1 answer from this machine's kernel, which does not rate-limit
  /// ICMP errors on the loopback device: their silent ports need no confirmation.
  bool trust_loopback = true;
};

/// Options of a UDP scan.
struct UdpScanOptions {
  ScanLimits limits;
  /// Chooses the pseudo-random probe order; the same seed gives the same order.
  std::uint64_t seed = 0;
  /// Raise the process's soft RLIMIT_NOFILE to the hard limit before scanning (a probe in
  /// flight holds a socket).
  bool raise_fd_limit = true;
  /// What each port's probes carry; null means UdpPayloads::system_or_builtin(). A port with
  /// several payloads gets them on successive attempts.
  std::shared_ptr<const UdpPayloads> payloads;
  IcmpRateLimitGuard icmp;
};

/// UDP scan of targets × ports in keyed-permutation order, on the calling thread, as nmap -sU
/// reads it: a datagram back = open; an ICMP port unreachable = closed; another ICMP
/// unreachable (host, network, administratively prohibited) = filtered; silence after the
/// retransmissions (and the confirmation of IcmpRateLimitGuard) = open|filtered. Each probe is
/// a connected UDP socket, so the kernel matches answers and ICMP errors to it; timing is that of
/// the connect() scanner (per-host RTT timeouts, congestion window, rate and concurrency caps).
/// Works without privileges; IPv4 and IPv6.
class UdpScanner final : public PortScanner {
 public:
  /// Checks the plan before any packet: every target inside `scope` (kPermissionDenied naming
  /// the ranges outside), at most kMaxUdpScanTargets targets, a non-empty port list,
  /// sane limits and guard (kInvalidArgument naming the field). Loads the payloads when the
  /// options hold none.
  static Result<std::unique_ptr<UdpScanner>> create(TargetSet targets,
                                                    std::vector<std::uint16_t> udp_ports,
                                                    const ScanScope& scope,
                                                    UdpScanOptions options = {});
  ~UdpScanner() override;
  UdpScanner(const UdpScanner&) = delete;
  UdpScanner& operator=(const UdpScanner&) = delete;

  Result<ScanOutcome> run(const PortResultHandler& on_result) override;
  void cancel() override;
  ScanProgress progress() const override;

  /// Where the payloads came from: a file path, "builtin", or what the caller named its table.
  std::string_view payload_origin() const { return options_.payloads->origin(); }

 private:
  class Loop;

  UdpScanner(TargetSet targets, std::vector<std::uint16_t> ports, UdpScanOptions options,
             int epoll_fd, int cancel_fd);

  TargetSet targets_;
  std::vector<std::uint16_t> ports_;
  UdpScanOptions options_;
  // The payloads of ports_[i], looked up once; views into options_.payloads.
  std::vector<std::vector<std::string_view>> port_payloads_;
  int epoll_fd_;
  int cancel_fd_;
  std::atomic<bool> ran_{false};
  std::atomic<bool> cancelled_{false};
  std::atomic<std::uint64_t> pairs_done_{0};
  std::atomic<std::uint64_t> probes_sent_{0};
  std::atomic<std::uint64_t> open_found_{0};
  std::atomic<std::int64_t> started_ns_{0};
  std::atomic<std::int64_t> finished_ns_{0};
};

}  // namespace sentinel::scan
