#pragma once
// The privileged TCP port scanner: raw SYN probes ("half-open" scan, nmap -sS).

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/port_scanner.h"
#include "sentinel/scan/scan_scope.h"
#include "sentinel/scan/target_set.h"

namespace sentinel::scan {

class RawProbeLoop;

/// Options of a SYN scan. Probes in flight cost no socket, so the concurrency cap is higher
/// than a connect() scan's by default, and the window starts at one send batch: with only 10,
/// slow start over a network of silent hosts (whose timeouts are all that come back) would
/// take many timeouts to open up.
struct SynScanOptions {
  ScanLimits limits = [] {
    ScanLimits limits;
    limits.max_concurrency = 4096;
    limits.initial_window = 256;
    return limits;
  }();
  /// Chooses the pseudo-random probe order; the same seed gives the same order.
  std::uint64_t seed = 0;
};

/// TCP SYN scan of targets × ports (IPv4 and IPv6) in keyed-permutation order, on the calling
/// thread: SYN-ACK = open, RST = closed, an ICMP unreachable or no answer after the
/// retransmissions = filtered. Probes are raw packets sent in batches; answers come through a
/// BPF-filtered packet ring and are matched by a keyed hash in the sequence number, so nothing
/// but the probes in flight is stored. The kernel resets every SYN-ACK itself (the scan's
/// source ports have no listening socket), so no connection is ever completed and services see
/// no connection. Needs CAP_NET_RAW.
class SynScanner final : public PortScanner {
 public:
  /// Checks the plan as ConnectScanner::create does, then opens the raw sockets:
  /// kPermissionDenied with reason kRawSocketsUnavailable ("raw_sockets_unavailable") without
  /// CAP_NET_RAW, so that callers can fall back (see make_port_scanner()).
  static Result<std::unique_ptr<SynScanner>> create(TargetSet targets,
                                                    std::vector<std::uint16_t> tcp_ports,
                                                    const ScanScope& scope,
                                                    SynScanOptions options = {});
  ~SynScanner() override;
  SynScanner(const SynScanner&) = delete;
  SynScanner& operator=(const SynScanner&) = delete;

  Result<ScanOutcome> run(const PortResultHandler& on_result) override;
  void cancel() override;
  ScanProgress progress() const override;

 private:
  SynScanner(std::unique_ptr<RawProbeLoop> loop, std::vector<std::uint16_t> ports);

  std::unique_ptr<RawProbeLoop> loop_;
  std::vector<std::uint16_t> ports_;
  std::atomic<std::uint64_t> open_found_{0};
};

}  // namespace sentinel::scan
