#pragma once
// ARP discovery on the local Ethernet segments (IPv4): a host on the same link answers an ARP
// who-has whatever its IP firewall drops, so a host that ignores every ping and SYN is still
// found, and an address nobody claims is known down after the ARP retries, without waiting out
// IP probes that the kernel could never deliver.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "link_sweep.h"
#include "sentinel/common/result.h"
#include "sentinel/scan/mac_address.h"
#include "sentinel/scan/port_scanner.h"
#include "sentinel/scan/target_set.h"

namespace sentinel::scan {

/// An up, ARP-capable Ethernet interface of this host and its IPv4 network.
struct LinkSegment {
  int interface_index = 0;
  std::string interface_name;
  MacAddress mac{};
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
/// ours on the interface that asked; the reply's sender hardware address is the host's MAC.
/// run() once, from one thread; cancel() from any (LinkSweep).
class ArpSweep final : public LinkSweep {
 public:
  /// The sweep of those `targets` (IPv4) that lie on one of `segments`; nullptr when none do.
  /// kPermissionDenied with reason kRawSocketsUnavailable when a packet socket cannot be
  /// opened.
  static Result<std::unique_ptr<ArpSweep>> open(const TargetSet& targets,
                                                const std::vector<LinkSegment>& segments);
  ~ArpSweep() override;

  /// "ARP on veth0 (10.0.0.1/24)" for the method's description.
  std::string describe() const override;

 private:
  struct Link {
    LinkSegment segment;
    int fd = -1;
  };
  struct Target {
    std::uint32_t address = 0;
    std::size_t link = 0;
  };

  ArpSweep() : LinkSweep("ARP") {}
  bool send_request(std::size_t position) override;
  void read_replies(std::size_t link, const OnAnswer& answered) override;

  std::vector<Link> links_;
  std::vector<Target> targets_;
  std::unordered_map<std::uint32_t, std::size_t> by_address_;  // -> position in targets_
};

}  // namespace sentinel::scan
