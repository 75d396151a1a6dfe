#pragma once
// Host discovery: which addresses of a target set are live hosts, before (or instead of) a
// port scan.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/mac_address.h"
#include "sentinel/scan/port_scanner.h"
#include "sentinel/scan/scan_scope.h"
#include "sentinel/scan/target_set.h"

namespace sentinel::scan {

enum class HostState : std::uint8_t { kUp, kDown };

/// "up" or "down".
std::string_view to_string(HostState state);

/// How discovery probes.
enum class DiscoveryMethod : std::uint8_t {
  kRaw,           // ICMP echo, TCP SYN and TCP ACK pings through raw sockets (CAP_NET_RAW)
  kUnprivileged,  // ICMP datagram-socket echo where allowed, then connect() to common ports
};

/// "raw" or "unprivileged".
std::string_view to_string(DiscoveryMethod method);

/// The verdict on one address. `reason` says what decided it: "echo-reply", "syn-ack", "rst",
/// "icmp-unreachable" (an ICMP error sent by the host itself), "arp-response" or "ndp-response"
/// (a Neighbor Advertisement) for up; "no-response", "host-unreachable" (an ICMP error from a
/// router or our own kernel) or "no-route" for down. `rtt` is that of the deciding answer, zero
/// when down. `mac` is the host's link-layer address when ARP or NDP found it.
struct HostResult {
  IpAddress address;
  HostState state = HostState::kDown;
  Duration rtt{0};
  std::string_view reason;
  std::optional<MacAddress> mac;
};

/// Called on the discovery's thread once per address; must be quick.
using HostResultHandler = std::function<void(const HostResult&)>;

/// Options of a discovery run.
struct DiscoveryOptions {
  /// Caps and timing. One retransmission by default: a host gets several probes anyway. The
  /// window starts wide (as for SynScanOptions): most of a sweep is often silence.
  ScanLimits limits = [] {
    ScanLimits limits;
    limits.max_retries = 1;
    limits.max_concurrency = 4096;
    limits.initial_window = 256;
    return limits;
  }();
  std::uint64_t seed = 0;
  /// False forces the unprivileged methods even where raw sockets are available.
  bool allow_raw = true;
  /// Raw probes: an ICMP echo request, a SYN to `syn_port` and an ACK to `ack_port` (0 leaves
  /// a TCP probe out). Any answer, a reset included, means up.
  bool icmp_echo = true;
  std::uint16_t syn_port = 443;
  std::uint16_t ack_port = 80;
  /// Raw only: IPv4 hosts on a segment of this host's Ethernet interfaces are asked by ARP
  /// instead (answer: up, "arp-response"; silence after the retries: down).
  bool arp = true;
  /// Raw only: IPv6 hosts on an on-link prefix of this host's Ethernet interfaces are asked by
  /// NDP Neighbor Solicitations instead (answer: up, "ndp-response"; silence: down).
  bool ndp = true;
  /// Unprivileged: ports connect()ed to; a connection or a refusal means up.
  std::vector<std::uint16_t> connect_ports = {80, 443, 22};
};

/// Counters of a running or finished discovery.
struct DiscoveryProgress {
  std::uint64_t hosts_total = 0;
  std::uint64_t hosts_done = 0;
  std::uint64_t hosts_up = 0;
  std::uint64_t probes_sent = 0;
};

class RawProbeLoop;
class LinkSweep;
class ArpSweep;
class NdpSweep;
class PingSweep;
class ConnectScanner;

/// Finds live hosts in a target set, on the calling thread. With CAP_NET_RAW: an ICMP echo, a
/// SYN to 443 and an ACK to 80 per host (nmap's default ping probes), answers matched by probe
/// cookie, a host settled by its first answer. Without: ICMP echo over a datagram socket when
/// net.ipv4.ping_group_range admits the process's group, then connect() to a few common ports
/// for the hosts still unknown. With raw sockets, hosts on a local Ethernet segment are asked
/// first and settled by it, IPv4 by ARP and IPv6 by NDP: a host there answers even when its
/// firewall drops every IP probe, and is reported with its MAC.
/// run() once, from one thread; cancel() and progress() from any thread.
class HostDiscovery {
 public:
  /// Checks scope and limits (as the port scanners do) and picks the method: raw when allowed
  /// and permitted, else unprivileged.
  static Result<std::unique_ptr<HostDiscovery>> create(TargetSet targets, const ScanScope& scope,
                                                       DiscoveryOptions options = {});
  ~HostDiscovery();
  HostDiscovery(const HostDiscovery&) = delete;
  HostDiscovery& operator=(const HostDiscovery&) = delete;

  /// Reports every address once (up as soon as known, down at the end) until done or
  /// cancelled.
  Result<ScanOutcome> run(const HostResultHandler& on_result);
  /// Stops a running discovery soon, or makes a later run() return at once. Thread-safe.
  void cancel();
  DiscoveryProgress progress() const;

  DiscoveryMethod method() const { return method_; }
  /// Why this method, and what it probes (for logs and the job's record).
  const std::string& method_reason() const { return method_reason_; }

 private:
  HostDiscovery(TargetSet targets, DiscoveryOptions options);

  Result<ScanOutcome> run_raw(const HostResultHandler& on_result);
  Result<ScanOutcome> run_unprivileged(const HostResultHandler& on_result);
  /// Runs an ARP or NDP sweep: its answers up with `reason`, its silent targets down.
  Result<ScanOutcome> run_link_sweep(LinkSweep& sweep, std::string_view reason,
                                     const HostResultHandler& on_result);
  void finish(std::uint64_t index, HostState state, Duration rtt, std::string_view reason,
              const HostResultHandler& on_result, const std::optional<MacAddress>& mac = {});

  TargetSet targets_;
  DiscoveryOptions options_;
  DiscoveryMethod method_ = DiscoveryMethod::kRaw;
  std::string method_reason_;
  std::unique_ptr<RawProbeLoop> raw_;
  std::unique_ptr<ArpSweep> arp_;  // raw only, when some targets are on a local segment
  std::unique_ptr<NdpSweep> ndp_;  // raw only, when some IPv6 targets are on-link
  std::unique_ptr<PingSweep> ping_;
  // Per host: whether it has been reported.
  std::vector<std::uint8_t> done_;
  std::atomic<bool> ran_{false};
  std::atomic<bool> cancelled_{false};
  std::atomic<std::uint64_t> hosts_done_{0};
  std::atomic<std::uint64_t> hosts_up_{0};
  std::atomic<std::uint64_t> connect_probes_{0};
  // The connect() phase's scanner while it runs, for cancel().
  std::mutex active_mutex_;
  ConnectScanner* active_connect_ = nullptr;
};

}  // namespace sentinel::scan
