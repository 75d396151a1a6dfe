// Fuzzes the Neighbor Advertisement parser with whatever a raw ICMPv6 socket may deliver
// (anything on the link can send an advertisement). The first byte chooses the hop limit the
// message arrived with; the rest is the message.
// Properties: parsing never crashes or reads out of bounds; a parsed advertisement arrived with
// hop limit 255, is type 136 code 0, its target is the bytes at offset 8 and not multicast, its
// flags are the bits of byte 4, and its MAC is the first target option's when that is 8 bytes.
// Every solicitation we build has a valid checksum, is refused as an advertisement, and parses
// back to its target once retyped (its only option is the source's, so no MAC).

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "src/scan/ndp_packets.h"
#include "src/scan/probe_packets.h"

namespace {

using namespace sentinel::scan;

void check(bool condition) {
  if (!condition) std::abort();
}

IpAddress v6_at(const std::uint8_t* in) {
  std::uint8_t bytes[16];
  std::memcpy(bytes, in, sizeof(bytes));
  return IpAddress::v6_bytes(bytes);
}

void check_parsed(std::span<const std::uint8_t> message, int hop_limit) {
  const auto parsed = parse_neighbor_advertisement(message, hop_limit);
  if (!parsed) return;
  check(hop_limit == kNdpHopLimit);
  check(message.size() >= 24 && message[0] == kIcmpv6NeighborAdvertisement && message[1] == 0);
  check(parsed->target == v6_at(message.data() + 8));
  check((parsed->target.value() >> 120) != 0xff);
  check(parsed->router == ((message[4] & 0x80) != 0));
  check(parsed->solicited == ((message[4] & 0x40) != 0));
  check(parsed->override_entry == ((message[4] & 0x20) != 0));
  // The first target link-layer option, walked independently.
  std::size_t at = 24;
  while (at + 2 <= message.size() && message[at] != 2) at += std::size_t{message[at + 1]} * 8;
  if (at + 2 <= message.size() && message[at + 1] == 1) {
    check(parsed->link_address.has_value());
    check(std::equal(parsed->link_address->begin(), parsed->link_address->end(),
                     message.begin() + static_cast<std::ptrdiff_t>(at) + 2));
  } else {
    check(!parsed->link_address.has_value());
  }
}

void round_trip(const std::uint8_t* data, std::size_t size) {
  std::uint8_t source_bytes[16] = {};
  std::uint8_t target_bytes[16] = {};
  MacAddress mac{};
  std::memcpy(source_bytes, data, std::min<std::size_t>(size, 16));
  if (size > 16) std::memcpy(target_bytes, data + 16, std::min<std::size_t>(size - 16, 16));
  if (size > 32) std::memcpy(mac.data(), data + 32, std::min<std::size_t>(size - 32, 6));
  const IpAddress source = IpAddress::v6_bytes(source_bytes);
  const IpAddress target = IpAddress::v6_bytes(target_bytes);
  auto message = build_neighbor_solicitation(source, target, mac);
  const std::uint32_t pseudo =
      pseudo_header_sum(source, solicited_node_address(target), 58, kNeighborSolicitationBytes);
  check(fold_checksum(checksum_add(message, pseudo)) == 0);
  check((solicited_node_address(target).value() & 0xffffff) == (target.value() & 0xffffff));
  check(!parse_neighbor_advertisement(message, kNdpHopLimit));
  message[0] = kIcmpv6NeighborAdvertisement;
  const auto retyped = parse_neighbor_advertisement(message, kNdpHopLimit);
  if (target_bytes[0] == 0xff) {
    check(!retyped);
    return;
  }
  check(retyped && retyped->target == target && !retyped->link_address);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // Mostly 255, so that the rest of the parser is reached.
  const int hop_limit = data[0] < 240 ? kNdpHopLimit : data[0];
  check_parsed(std::span(data + 1, size - 1), hop_limit);
  round_trip(data + 1, size - 1);
  return 0;
}
