// Fuzzes the raw-scan reply parser with whatever arrives on the wire (everything the BPF
// filter lets through is attacker-controlled). The first byte also chooses a probe to build
// from the rest of the input.
// Properties: parsing never crashes or reads out of bounds; a parsed TCP reply's fields are
// the bytes at their offsets (re-checked through a probe round trip); every probe we build
// parses back to the fields it was built from (TCP) or is refused as a non-reply (echo
// requests), and its checksums verify.

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "src/scan/probe_packets.h"

namespace {

using namespace sentinel::scan;

void check(bool condition) {
  if (!condition) std::abort();
}

std::uint32_t take32(const std::uint8_t*& data, std::size_t& size) {
  std::uint32_t value = 0;
  for (int i = 0; i < 4 && size > 0; ++i, ++data, --size) value = value << 8 | *data;
  return value;
}

void round_trip(const std::uint8_t* data, std::size_t size) {
  ProbePacket probe;
  const std::uint32_t selector = take32(data, size);
  const bool v6 = selector & 1;
  probe.kind = static_cast<ProbeKind>((selector >> 1) % 3);
  if (v6) {
    Uint128 source = take32(data, size);
    source = source << 96 | take32(data, size);
    Uint128 destination = take32(data, size);
    destination = destination << 96 | take32(data, size);
    probe.source = IpAddress::v6(source);
    probe.destination = IpAddress::v6(destination);
  } else {
    probe.source = IpAddress::v4(take32(data, size));
    probe.destination = IpAddress::v4(take32(data, size));
  }
  const std::uint32_t ports = take32(data, size);
  probe.source_port = static_cast<std::uint16_t>(ports >> 16);
  probe.destination_port = static_cast<std::uint16_t>(ports);
  probe.cookie = take32(data, size);
  probe.ip_id = static_cast<std::uint16_t>(take32(data, size));

  std::array<std::uint8_t, kMaxProbeBytes> buffer{};
  const std::size_t length = build_probe(probe, buffer);
  check(length <= kMaxProbeBytes);
  const std::span<const std::uint8_t> packet(buffer.data(), length);
  const std::size_t header = v6 ? 40 : 20;
  if (!v6) check(fold_checksum(checksum_add(packet.first(20))) == 0);
  const bool icmp = probe.kind == ProbeKind::kIcmpEcho;
  const std::uint32_t initial =
      icmp && !v6 ? 0
                  : pseudo_header_sum(probe.source, probe.destination, icmp ? 58 : 6,
                                      static_cast<std::uint32_t>(length - header));
  check(fold_checksum(checksum_add(packet.subspan(header), initial)) == 0);

  const auto reply = parse_reply(packet);
  if (icmp) {
    check(!reply);  // an echo request is not a reply
    return;
  }
  check(reply && reply->kind == ReplyKind::kTcp);
  check(reply->source == probe.source && reply->destination == probe.destination);
  check(reply->source_port == probe.source_port);
  check(reply->destination_port == probe.destination_port);
  check(reply->seq == probe.cookie);
  check(reply->flags == (probe.kind == ProbeKind::kTcpSyn ? kTcpSyn : kTcpAck));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto reply = parse_reply(std::span(data, size));
  if (reply) {
    check(size >= 20);
    const bool v4 = (data[0] >> 4) == 4;
    check(reply->source.is_v4() == v4 && reply->destination.is_v4() == v4);
    if (reply->kind == ReplyKind::kUnreachable) {
      check(reply->quoted.source.is_v4() == v4 && reply->quoted.destination.is_v4() == v4);
    }
  }
  round_trip(data, size);
  return 0;
}
