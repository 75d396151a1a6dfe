#include "ndp_packets.h"

#include <algorithm>

#include "probe_packets.h"

namespace sentinel::scan {
namespace {

constexpr std::uint8_t kProtocolIcmpv6 = 58;
constexpr std::size_t kAdvertisementFixedBytes = 24;  // type .. target address
constexpr std::uint8_t kOptionSourceLinkAddress = 1;
constexpr std::uint8_t kOptionTargetLinkAddress = 2;
constexpr std::uint8_t kFlagRouter = 0x80;
constexpr std::uint8_t kFlagSolicited = 0x40;
constexpr std::uint8_t kFlagOverride = 0x20;
constexpr Uint128 kSolicitedNodePrefix = Uint128{0xff02000000000000ULL} << 64 | 0x1ff000000ULL;

}  // namespace

IpAddress solicited_node_address(IpAddress target) {
  return IpAddress::v6(kSolicitedNodePrefix | (target.value() & 0xffffff));
}

std::array<std::uint8_t, kNeighborSolicitationBytes> build_neighbor_solicitation(
    IpAddress source, IpAddress target, const MacAddress& mac) {
  std::array<std::uint8_t, kNeighborSolicitationBytes> message{};
  message[0] = kIcmpv6NeighborSolicitation;
  // Code, checksum and the reserved word stay zero until the checksum below.
  std::uint8_t target_bytes[16];
  target.to_bytes(target_bytes);
  std::copy(std::begin(target_bytes), std::end(target_bytes), message.begin() + 8);
  message[24] = kOptionSourceLinkAddress;
  message[25] = 1;  // in units of 8 bytes
  std::copy(mac.begin(), mac.end(), message.begin() + 26);
  const std::uint32_t pseudo = pseudo_header_sum(source, solicited_node_address(target),
                                                 kProtocolIcmpv6, kNeighborSolicitationBytes);
  const std::uint16_t sum = fold_checksum(checksum_add(message, pseudo));
  message[2] = static_cast<std::uint8_t>(sum >> 8);
  message[3] = static_cast<std::uint8_t>(sum);
  return message;
}

std::optional<NeighborAdvertisement> parse_neighbor_advertisement(
    std::span<const std::uint8_t> message, int hop_limit) {
  if (hop_limit != kNdpHopLimit || message.size() < kAdvertisementFixedBytes ||
      message[0] != kIcmpv6NeighborAdvertisement || message[1] != 0) {
    return std::nullopt;
  }
  std::uint8_t target_bytes[16];
  std::copy_n(message.begin() + 8, 16, target_bytes);
  if (target_bytes[0] == 0xff) return std::nullopt;  // a multicast target
  NeighborAdvertisement advertisement;
  advertisement.target = IpAddress::v6_bytes(target_bytes);
  advertisement.router = (message[4] & kFlagRouter) != 0;
  advertisement.solicited = (message[4] & kFlagSolicited) != 0;
  advertisement.override_entry = (message[4] & kFlagOverride) != 0;
  std::span<const std::uint8_t> options = message.subspan(kAdvertisementFixedBytes);
  bool seen_target_option = false;
  while (!options.empty()) {
    if (options.size() < 2) return std::nullopt;
    const std::size_t length = std::size_t{options[1]} * 8;
    if (length == 0 || length > options.size()) return std::nullopt;
    if (options[0] == kOptionTargetLinkAddress && !seen_target_option) {
      seen_target_option = true;
      if (length == 8) {
        MacAddress mac;
        std::copy_n(options.begin() + 2, 6, mac.begin());
        advertisement.link_address = mac;
      }
    }
    options = options.subspan(length);
  }
  return advertisement;
}

}  // namespace sentinel::scan
