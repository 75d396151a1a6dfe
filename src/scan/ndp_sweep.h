#pragma once
// NDP discovery on the local Ethernet segments (IPv6), the counterpart of ARP: a host on the
// same link answers a Neighbor Solicitation for one of its addresses whatever its IP firewall
// drops (NDP is ICMPv6 that every IPv6 stack must answer, and firewalls let it through or
// break IPv6 on the link), so a host that ignores every ping and SYN is still found, and an
// address nobody claims is known down after the retries.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "link_sweep.h"
#include "sentinel/common/result.h"
#include "sentinel/scan/ip_address.h"
#include "sentinel/scan/mac_address.h"
#include "sentinel/scan/target_set.h"

namespace sentinel::scan {

/// An IPv6 address of ours, with its on-link prefix, on an up Ethernet interface that does
/// neighbour discovery.
struct Ipv6LinkSegment {
  int interface_index = 0;
  std::string interface_name;
  MacAddress mac{};
  IpAddress address = IpAddress::v6(0);  // ours
  int prefix_length = 64;

  /// Whether `host` is another unicast IPv6 address of this prefix: in it, not ours.
  bool holds(IpAddress host) const;
};

/// The IPv6 segments of this host's interfaces (getifaddrs): up, not loopback, neighbour
/// discovery on (no IFF_NOARP), Ethernet; global or unique-local addresses (a link-local prefix
/// is on every interface, and a target carries no zone to tell them apart) with a prefix
/// shorter than /128.
std::vector<Ipv6LinkSegment> local_ipv6_segments();

/// One NDP sweep over the targets that lie on a local segment: a Neighbor Solicitation to each
/// target's solicited-node multicast address, hop limit 255, with our MAC as the source
/// link-layer address option, from our address on that segment, through one raw ICMPv6 socket
/// per segment (needs CAP_NET_RAW) that lets only Neighbor Advertisements in (ICMP6_FILTER).
/// An answer is a solicited advertisement, received with hop limit 255 on the interface that
/// asked and sent to our address there, whose target is an address we asked for on that
/// interface; its target link-layer address option is the host's MAC. Advertisements for
/// anything else (announcements to all nodes, addresses not asked about, other links) are
/// ignored. run() once, from one thread; cancel() from any (LinkSweep).
class NdpSweep final : public LinkSweep {
 public:
  /// The sweep of those `targets` (IPv6) that lie on one of `segments`; nullptr when none do.
  /// Addresses of the segments themselves (ours) are left to the IP probes, as is a segment
  /// whose address cannot be bound yet (tentative during duplicate address detection).
  /// kPermissionDenied with reason kRawSocketsUnavailable when a raw socket cannot be opened.
  static Result<std::unique_ptr<NdpSweep>> open(const TargetSet& targets,
                                                const std::vector<Ipv6LinkSegment>& segments);
  ~NdpSweep() override;

  /// "NDP on veth0 (fd00:5ca0:1::1/64)" for the method's description.
  std::string describe() const override;

 private:
  struct Link {
    Ipv6LinkSegment segment;
    int fd = -1;
  };
  struct Target {
    IpAddress address;
    std::size_t link = 0;
  };
  struct AddressHash {
    std::size_t operator()(Uint128 value) const;
  };

  NdpSweep() : LinkSweep("NDP") {}
  bool send_request(std::size_t position) override;
  void read_replies(std::size_t link, const OnAnswer& answered) override;

  std::vector<Link> links_;
  std::vector<Target> targets_;
  std::unordered_map<Uint128, std::size_t, AddressHash> by_address_;  // -> position in targets_
};

}  // namespace sentinel::scan
