#pragma once
// The unprivileged TCP port scanner: non-blocking connect() driven by one epoll loop.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/keyed_permutation.h"
#include "sentinel/scan/port_scanner.h"
#include "sentinel/scan/scan_scope.h"
#include "sentinel/scan/target_set.h"

namespace sentinel::scan {

/// Options of a connect() scan.
struct ConnectScanOptions {
  ScanLimits limits;
  /// Chooses the pseudo-random probe order; the same seed gives the same order.
  std::uint64_t seed = 0;
  /// Raise the process's soft RLIMIT_NOFILE to the hard limit before scanning, so that
  /// concurrency is not stuck at the usual 1024.
  bool raise_fd_limit = true;
};

/// TCP connect() scan of targets × ports in keyed-permutation order, on the calling thread:
/// open = connected, closed = refused, filtered = no answer after the retransmissions. Probe
/// timeouts come from per-host RTT estimates; a congestion window, the rate cap, the
/// concurrency cap and the open-file limit bound the probes in flight. Works without
/// privileges; each probe costs a socket and, when open, a full handshake that the service sees.
class ConnectScanner final : public PortScanner {
 public:
  /// Checks the plan before any packet: every target inside `scope` (kPermissionDenied naming
  /// the ranges outside), a non-empty port list, sane limits (kInvalidArgument).
  static Result<std::unique_ptr<ConnectScanner>> create(TargetSet targets,
                                                        std::vector<std::uint16_t> tcp_ports,
                                                        const ScanScope& scope,
                                                        ConnectScanOptions options = {});
  ~ConnectScanner() override;
  ConnectScanner(const ConnectScanner&) = delete;
  ConnectScanner& operator=(const ConnectScanner&) = delete;

  Result<ScanOutcome> run(const PortResultHandler& on_result) override;
  void cancel() override;
  ScanProgress progress() const override;

 private:
  class Loop;

  ConnectScanner(TargetSet targets, std::vector<std::uint16_t> ports, ConnectScanOptions options,
                 int epoll_fd, int cancel_fd);

  TargetSet targets_;
  std::vector<std::uint16_t> ports_;
  ConnectScanOptions options_;
  KeyedPermutation order_;
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
