#pragma once
// Service and version detection (ADR 0005, "Service and version detection"). Open TCP ports:
// banner first, then the probes of a probe file in nmap's order, each on a fresh connection; a
// TLS port is probed again inside TLS and its certificate and protocol versions recorded. Open
// and open|filtered UDP ports: the file's UDP probes in the same order, one datagram each.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/ip_address.h"
#include "sentinel/scan/scan_report.h"
#include "sentinel/scan/scan_scope.h"
#include "sentinel/scan/service_probes.h"

namespace sentinel::scan {

/// A port to identify: an open TCP port, or a UDP port the scan found open or open|filtered.
struct ServiceTarget {
  IpAddress address;
  std::uint16_t port = 0;
  Protocol protocol = Protocol::kTcp;
  /// What the port scan said (kOpen; for UDP also kOpenFiltered, silence). A UDP port that
  /// answers a probe is reported open whatever this says.
  PortState state = PortState::kOpen;
};

/// What detection found on one target: `port.service` is empty when nothing matched (or the
/// port deadline came first); `port.tunnel` is "ssl" for a service inside TLS, whose
/// certificate facts are in `port.tls`. `port.state` is the target's, except for a UDP port
/// that answered a probe: kOpen with reason "udp-response" (as nmap -sUV reports it).
struct ServiceResult {
  IpAddress address;
  PortReport port;
};

/// Called on the detector's thread for every target, in completion order; it must be quick.
using ServiceResultHandler = std::function<void(const ServiceResult&)>;

/// Limits and waits of a detection run. Defaults favour speed on a LAN: nmap waits up to 6 s for
/// a banner and 5 s per probe, because it must suit slow links; a service that speaks first does
/// so within one round trip plus its own start-up, well under a second on a LAN, so 1.5 s loses
/// almost nothing and saves 4.5 s on every port that waits for the client (HTTP, TLS, databases).
struct ServiceDetectionOptions {
  /// Probes up to this rarity are sent to ports they do not list (0-9; nmap's default 7).
  int intensity = 7;
  /// Targets probed at once (each holds one socket at a time); clamped to the open-file limit.
  std::size_t max_concurrency = 512;
  /// How long the NULL probe waits for a banner.
  std::chrono::milliseconds banner_wait{1500};
  /// The most a probe waits for its answer (the probe file's `totalwaitms` when smaller); for
  /// UDP this is what every probe costs on a silent port, so a silent port is done after
  /// port_deadline or (listed probes + probes up to `intensity`) × this, whichever is first.
  std::chrono::milliseconds max_probe_wait{2000};
  /// Once a probe's answer has begun without matching, it ends after this long without more
  /// bytes (nmap waits the whole probe wait): a service answers one request in one burst, and
  /// a chatty one that only softmatches (Dovecot, say) would otherwise cost the full wait on
  /// every probe that can still name it.
  std::chrono::milliseconds answer_quiet{500};
  /// TCP connect plus TLS handshake, per connection.
  std::chrono::milliseconds connect_timeout{3000};
  /// Everything for one target, TLS version checks included; then it reports what it has.
  std::chrono::milliseconds port_deadline{20000};
  /// Bytes kept of one answer; more are not read (nmap's matching needs only the start). A UDP
  /// answer also ends after 64 datagrams, so a flood of empty ones ends too.
  std::size_t max_response_bytes = 64 * 1024;
  /// Try one handshake per protocol version (TLS 1.0 to 1.3) on TLS ports.
  bool tls_versions = true;
};

/// Counters for progress bars; a consistent-enough snapshot.
struct ServiceDetectionProgress {
  std::uint64_t ports_total = 0;
  std::uint64_t ports_done = 0;
  std::uint64_t ports_identified = 0;  // with a service name
  std::uint64_t connections = 0;       // opened so far, TLS version checks included
};

/// Identifies the services on a fixed list of ports, all at once up to a concurrency cap, on the
/// thread that calls run(): the TCP ports first (one epoll loop; OpenSSL for TLS,
/// non-blocking), then the UDP ports (one epoll loop, a connected UDP socket per probe in
/// flight). run() once, from one thread; cancel() and progress() from any thread.
class ServiceDetector {
 public:
  /// Checks before any connection: every target inside `scope` (kPermissionDenied naming the
  /// addresses outside), ports not 0, states a scan reports for ports worth probing (TCP open,
  /// UDP open or open|filtered), options in range (kInvalidArgument naming the field).
  static Result<std::unique_ptr<ServiceDetector>> create(
      std::shared_ptr<const ServiceProbes> probes, std::vector<ServiceTarget> targets,
      const ScanScope& scope, ServiceDetectionOptions options = {});
  ~ServiceDetector();
  ServiceDetector(const ServiceDetector&) = delete;
  ServiceDetector& operator=(const ServiceDetector&) = delete;

  /// Probes every target, calling `on_result` once for each (also for cancelled ones, without a
  /// service), and returns when all are done. Errors are failures of the machine (no epoll, no
  /// TLS context), not of targets.
  Status run(const ServiceResultHandler& on_result);
  /// run() collecting the results, in completion order.
  Result<std::vector<ServiceResult>> run();
  /// Makes a running run() finish soon (open connections are dropped) or a later one at once.
  void cancel();
  ServiceDetectionProgress progress() const;

 private:
  class Loop;
  class UdpLoop;

  // The tag of the cancel eventfd in both loops' epoll set.
  static constexpr std::uint64_t kCancelTag = ~std::uint64_t{0};

  /// The UDP targets, after the TCP ones, on the same epoll set (service_detector_udp.cpp).
  Status run_udp(const ServiceResultHandler& on_result, int epoll_fd);

  ServiceDetector(std::shared_ptr<const ServiceProbes> probes, std::vector<ServiceTarget> targets,
                  ServiceDetectionOptions options, int cancel_fd);

  std::shared_ptr<const ServiceProbes> probes_;
  std::vector<ServiceTarget> targets_;      // TCP
  std::vector<ServiceTarget> udp_targets_;  // UDP
  ServiceDetectionOptions options_;
  int cancel_fd_;
  std::atomic<bool> ran_{false};
  std::atomic<bool> cancelled_{false};
  std::atomic<std::uint64_t> done_{0};
  std::atomic<std::uint64_t> identified_{0};
  std::atomic<std::uint64_t> connections_{0};
};

}  // namespace sentinel::scan
