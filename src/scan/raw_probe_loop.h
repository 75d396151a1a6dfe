#pragma once
// The engine under the raw scans (SYN port scan, host discovery): probes built as raw packets
// and sent in batches, answers read from a packet ring and matched statelessly through the
// probe cookie, with the timing, retransmission and congestion control of the connect()
// scanner. One thread, one epoll loop (the RawSender sends half of each batch from a thread
// of its own).

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "packet_ring.h"
#include "probe_cookie.h"
#include "probe_packets.h"
#include "raw_sender.h"
#include "sentinel/common/result.h"
#include "sentinel/scan/keyed_permutation.h"
#include "sentinel/scan/port_scanner.h"
#include "sentinel/scan/target_set.h"

namespace sentinel::scan {

/// The machine-readable reason of the error raw engines return without CAP_NET_RAW, so that
/// callers can fall back to unprivileged methods.
inline constexpr std::string_view kRawSocketsUnavailable = "raw_sockets_unavailable";

/// One probe that every host gets: a SYN or an ACK to `port`, or an echo request.
struct ProbeSpec {
  ProbeKind kind = ProbeKind::kTcpSyn;
  std::uint16_t port = 0;
};

/// How a (host, probe) pair ended.
enum class ProbeAnswer : std::uint8_t {
  kSynAck,       // TCP SYN-ACK
  kReset,        // TCP RST
  kEchoReply,    // ICMP echo reply
  kUnreachable,  // an ICMP destination-unreachable error quoting the probe
  kNoAnswer,     // nothing after every retransmission
  kNoRoute,      // the kernel would not send it: no route, a local firewall, a broadcast address
};

/// The outcome of one pair. `rtt` is measured from the latest attempt (zero when unanswered);
/// `responder` is whoever answered: the host, or a router for ICMP errors.
struct ProbeOutcome {
  std::uint64_t host_index = 0;
  IpAddress host;
  std::size_t probe = 0;
  ProbeAnswer answer = ProbeAnswer::kNoAnswer;
  Duration rtt{0};
  int attempts = 0;
  IpAddress responder;
  std::uint8_t icmp_type = 0;
  std::uint8_t icmp_code = 0;
};

/// Called on the loop's thread for every pair that ends; must be quick.
using ProbeOutcomeHandler = std::function<void(const ProbeOutcome&)>;
/// Asked before each probe: true means the host needs no more probes (its remaining pairs end
/// without a report). Empty: never.
using HostSettled = std::function<bool(std::uint64_t host_index)>;

/// Targets × probes in keyed-permutation order (pair = probe · hosts + host). Sockets are opened
/// by create(), so a missing privilege shows before run(). run() once, from one thread;
/// cancel() and the counters from any thread.
class RawProbeLoop {
 public:
  /// Opens the sending sockets and packet rings that the target families need and reserves one
  /// TCP source port per attempt (so that an answer tells which attempt it answers, and no
  /// local socket takes the port). kPermissionDenied with reason kRawSocketsUnavailable
  /// without CAP_NET_RAW; kInvalidArgument for more hosts than SourceAddresses::kMaxHosts,
  /// or two TCP probes of one port. Limits must have been checked (check_scan_plan).
  static Result<std::unique_ptr<RawProbeLoop>> create(TargetSet targets,
                                                      std::vector<ProbeSpec> probes,
                                                      const ScanLimits& limits, std::uint64_t seed);
  ~RawProbeLoop();
  RawProbeLoop(const RawProbeLoop&) = delete;
  RawProbeLoop& operator=(const RawProbeLoop&) = delete;

  /// Probes every pair (plus retransmissions) and reports each, until done or cancelled.
  Result<ScanOutcome> run(const ProbeOutcomeHandler& on_outcome, const HostSettled& settled = {});
  /// Stops a running loop soon, or makes a later run() return at once. Thread-safe.
  void cancel();

  const TargetSet& targets() const { return targets_; }
  const std::vector<ProbeSpec>& probes() const { return probes_; }
  std::uint64_t pairs_total() const { return order_.size(); }
  std::uint64_t pairs_done() const { return pairs_done_.load(); }
  std::uint64_t probes_sent() const { return probes_sent_.load(); }
  /// Average since run() started (to its end once it returned); 0 before.
  double probes_per_second() const;
  /// The TCP source ports, one per attempt.
  const std::vector<std::uint16_t>& source_ports() const { return source_ports_; }

 private:
  class Run;

  RawProbeLoop(TargetSet targets, std::vector<ProbeSpec> probes, const ScanLimits& limits,
               std::uint64_t seed);

  TargetSet targets_;
  std::vector<ProbeSpec> probes_;
  ScanLimits limits_;
  KeyedPermutation order_;
  ProbeCookies cookies_;
  std::vector<int> port_holders_;
  std::vector<std::uint16_t> source_ports_;
  std::optional<RawSender> sender_;
  std::optional<PacketRing> ring_v4_;
  std::optional<PacketRing> ring_v6_;
  int epoll_fd_ = -1;
  int cancel_fd_ = -1;
  std::atomic<bool> ran_{false};
  std::atomic<bool> cancelled_{false};
  std::atomic<std::uint64_t> pairs_done_{0};
  std::atomic<std::uint64_t> probes_sent_{0};
  std::atomic<std::int64_t> started_ns_{0};
  std::atomic<std::int64_t> finished_ns_{0};
};

}  // namespace sentinel::scan
