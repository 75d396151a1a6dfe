#pragma once
// ARP discovery on the local Ethernet segments (IPv4): a host on the same link answers an ARP
// who-has whatever its IP firewall drops, so a host that ignores every ping and SYN is still
// found, and an address nobody claims is known down after the ARP retries, without waiting out
// IP probes that the kernel could never deliver.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/port_scanner.h"
#include "sentinel/scan/rtt_estimator.h"
#include "sentinel/scan/target_set.h"

namespace sentinel::scan {

/// An up, ARP-capable Ethernet interface of this host and its IPv4 network.
struct LinkSegment {
  int interface_index = 0;
  std::string interface_name;
  std::array<std::uint8_t, 6> mac{};
  std::uint32_t address = 0;  // ours, host byte order
  std::uint32_t netmask = 0;  // host byte order

  /// Whether `host` (host byte order) is another host address of this segment: in the
  /// network, neither ours nor the network or broadcast address.
  bool holds(std::uint32_t host) const;
};

/// The segments of this host's interfaces (getifaddrs): up, not loopback, ARP on, Ethernet,
/// an IPv4 prefix shorter than /31.
std::vector<LinkSegment> local_link_segments();

/// One ARP sweep over the targets that lie on a local segment, through one packet socket per
/// segment (AF_PACKET, needs CAP_NET_RAW). Answers are ARP replies from the target's address to
/// ours on the interface that asked. run() once, from one thread; cancel() from any.
class ArpSweep {
 public:
  /// The sweep of those `targets` (IPv4) that lie on one of `segments`; nullptr when none do.
  /// kPermissionDenied with reason kRawSocketsUnavailable when a packet socket cannot be
  /// opened.
  static Result<std::unique_ptr<ArpSweep>> open(const TargetSet& targets,
                                                const std::vector<LinkSegment>& segments);
  ~ArpSweep();
  ArpSweep(const ArpSweep&) = delete;
  ArpSweep& operator=(const ArpSweep&) = delete;

  /// Called once per target that answered: its host index and the time from the last request
  /// to the reply.
  using OnReply = std::function<void(std::uint64_t index, Duration rtt)>;

  /// Asks for every on-link target in rounds (max_retries + 1 at most; a round asks only the
  /// targets still silent), at most limits.max_rate requests a second, waiting one timeout
  /// (RttBounds, from the replies seen) after each round.
  Result<ScanOutcome> run(const ScanLimits& limits, const OnReply& on_reply);
  /// Stops a running sweep soon. Thread-safe.
  void cancel();

  /// The host indexes of the on-link targets, ascending.
  const std::vector<std::uint64_t>& covered() const { return covered_; }
  /// "ARP on veth0 (10.0.0.1/24)" for the method's description.
  std::string describe() const;
  std::uint64_t requests_sent() const { return sent_.load(); }

 private:
  struct Link {
    LinkSegment segment;
    int fd = -1;
  };
  struct Target {
    std::uint64_t index = 0;
    std::uint32_t address = 0;
    std::size_t link = 0;
  };

  ArpSweep() = default;
  bool send_request(const Target& target);
  void read_replies(std::size_t link, std::vector<TimePoint>& sent_at,
                    std::vector<std::uint8_t>& answered, const OnReply& on_reply,
                    RttEstimator& rtt);

  std::vector<Link> links_;
  std::vector<Target> targets_;
  std::vector<std::uint64_t> covered_;
  std::unordered_map<std::uint32_t, std::size_t> by_address_;  // -> position in targets_
  int epoll_fd_ = -1;
  int cancel_fd_ = -1;
  std::atomic<bool> cancelled_{false};
  std::atomic<std::uint64_t> sent_{0};
};

}  // namespace sentinel::scan
