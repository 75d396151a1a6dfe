#pragma once
// The contract of a port scan engine (raw SYN or connect()): probes a target set ×
// port list once each, reports every pair's state, and can be watched and cancelled.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "sentinel/common/result.h"
#include "sentinel/scan/ip_address.h"
#include "sentinel/scan/port_list.h"
#include "sentinel/scan/rtt_estimator.h"
#include "sentinel/scan/scan_clock.h"

namespace sentinel::scan {

/// What a probe found, as nmap names it.
enum class PortState : std::uint8_t {
  kOpen,          // a service accepted the connection (SYN-ACK), or answered a UDP probe
  kClosed,        // the host answered with a reset, or an ICMP port unreachable (UDP)
  kFiltered,      // no answer after every retransmission, or an ICMP unreachable
  kOpenFiltered,  // UDP only: silence, which an open service that ignored the probe also gives
};

/// "open", "closed", "filtered" or "open|filtered".
std::string_view to_string(PortState state);

/// The outcome for one (address, port) pair. `rtt` is that of the answered attempt (zero for
/// filtered); `attempts` counts the probes sent, retransmissions included.
struct PortResult {
  IpAddress address;
  std::uint16_t port = 0;
  Protocol protocol = Protocol::kTcp;
  PortState state = PortState::kFiltered;
  Duration rtt{0};
  int attempts = 0;
};

/// Called on the scan's thread for every pair, in completion order; it must be quick, since
/// the scan loop waits for it.
using PortResultHandler = std::function<void(const PortResult&)>;

/// Counters of a running or finished scan; a consistent-enough snapshot for progress bars.
struct ScanProgress {
  std::uint64_t pairs_total = 0;  // addresses × ports
  std::uint64_t pairs_done = 0;   // pairs with a final state
  std::uint64_t probes_sent = 0;  // including retransmissions
  std::uint64_t open_found = 0;
  double probes_per_second = 0;  // average since the scan started
};

/// Per-scan caps and timing.
struct ScanLimits {
  /// Probes per second; 0 means no cap (the congestion window still applies).
  double max_rate = 0;
  /// Probes in flight at most (also capped below the open-file limit for connect scans).
  std::size_t max_concurrency = 1024;
  /// Retransmissions of an unanswered probe before the pair is filtered (0..10).
  int max_retries = 2;
  /// The congestion window at the start, in probes in flight.
  double initial_window = 10;
  RttBounds rtt;
};

/// `limits` under a scan job's caps: `max_rate` (probes per second, > 0) replaces the rate,
/// `max_concurrency` (>= 1) the probes in flight, and the starting window when that is wider.
/// An unset cap keeps what `limits` says. Pure.
inline ScanLimits capped(ScanLimits limits, std::optional<double> max_rate,
                         std::optional<std::size_t> max_concurrency) {
  if (max_rate) limits.max_rate = *max_rate;
  if (max_concurrency) {
    limits.max_concurrency = *max_concurrency;
    limits.initial_window = std::min(limits.initial_window, static_cast<double>(*max_concurrency));
  }
  return limits;
}

/// How a run ended.
enum class ScanOutcome : std::uint8_t { kCompleted, kCancelled };

/// A port scan of a fixed target set and port list. run() once, from one thread; progress()
/// and cancel() from any thread.
class PortScanner {
 public:
  virtual ~PortScanner() = default;
  /// Probes every pair once (plus retransmissions), calling `on_result` for each, and returns
  /// when all are done or the scan was cancelled. Errors are failures of the machine (no
  /// sockets at all), not of targets.
  virtual Result<ScanOutcome> run(const PortResultHandler& on_result) = 0;
  /// Stops a running scan soon (its in-flight probes are dropped) or makes a later run() return
  /// at once. Thread-safe.
  virtual void cancel() = 0;
  /// Thread-safe snapshot of the counters.
  virtual ScanProgress progress() const = 0;
};

}  // namespace sentinel::scan
