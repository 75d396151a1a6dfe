#pragma once
// IPv6 neighbour discovery (RFC 4861) as bytes: the Neighbor Solicitation an NDP sweep sends,
// its solicited-node multicast destination, and a strict parser of the Neighbor Advertisements
// that come back (untrusted: anything on the link may send one). Pure: no sockets, no clock.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "sentinel/scan/ip_address.h"
#include "sentinel/scan/mac_address.h"

namespace sentinel::scan {

inline constexpr std::uint8_t kIcmpv6NeighborSolicitation = 135;
inline constexpr std::uint8_t kIcmpv6NeighborAdvertisement = 136;
/// The only hop limit a neighbour discovery message may arrive with (RFC 4861 7.1): a message
/// that crossed a router has less, and is dropped.
inline constexpr int kNdpHopLimit = 255;
/// An NS for one target with a source link-layer address option for Ethernet.
inline constexpr std::size_t kNeighborSolicitationBytes = 32;

/// ff02::1:ffXX:XXXX, the solicited-node multicast address of an IPv6 `target` (RFC 4291
/// 2.7.1): the low 24 bits of the target under ff02::1:ff00:0/104.
IpAddress solicited_node_address(IpAddress target);

/// The ICMPv6 Neighbor Solicitation (no IPv6 header) that asks for `target` from `source`
/// (an IPv6 address of ours on the link), with our Ethernet address `mac` as the source
/// link-layer address option, so that the target can answer without resolving us first. The
/// checksum is that of the packet from `source` to solicited_node_address(target).
std::array<std::uint8_t, kNeighborSolicitationBytes> build_neighbor_solicitation(
    IpAddress source, IpAddress target, const MacAddress& mac);

/// A Neighbor Advertisement as parsed.
struct NeighborAdvertisement {
  IpAddress target;
  bool router = false;
  bool solicited = false;  // an answer to a solicitation, not an announcement
  bool override_entry = false;
  /// From the target link-layer address option, when it holds an Ethernet address.
  std::optional<MacAddress> link_address;
};

/// Parses an ICMPv6 message (no IPv6 header, as a raw ICMPv6 socket delivers it) that arrived
/// with `hop_limit`, validated as RFC 4861 7.1.2 asks: hop limit 255, type 136, code 0, at least
/// 24 bytes, a target that is not multicast, every option's length nonzero and within the
/// message. nullopt for anything else. The checksum is not checked here (the kernel checks it
/// for raw ICMPv6 sockets before delivery). A target link-layer address option other than 8
/// bytes (not Ethernet) leaves `link_address` empty; of several, the first counts.
std::optional<NeighborAdvertisement> parse_neighbor_advertisement(
    std::span<const std::uint8_t> message, int hop_limit);

}  // namespace sentinel::scan
