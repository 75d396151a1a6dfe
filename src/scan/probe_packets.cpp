#include "probe_packets.h"

#include <cstring>

namespace sentinel::scan {
namespace {

constexpr std::uint8_t kProtocolIcmp = 1;
constexpr std::uint8_t kProtocolTcp = 6;
constexpr std::uint8_t kProtocolIcmpv6 = 58;
constexpr std::size_t kIpv4HeaderBytes = 20;
constexpr std::size_t kIpv6HeaderBytes = 40;
constexpr std::size_t kTcpHeaderBytes = 20;
constexpr std::size_t kIcmpHeaderBytes = 8;
constexpr std::uint8_t kTtl = 64;
// What nmap's SYN probes advertise; a few stacks ignore a SYN without an MSS option.
constexpr std::uint16_t kTcpWindow = 1024;
constexpr std::uint16_t kMss = 1460;
constexpr std::uint8_t kIcmpEchoReply = 0;
constexpr std::uint8_t kIcmpUnreachable = 3;
constexpr std::uint8_t kIcmpEchoRequest = 8;
constexpr std::uint8_t kIcmpv6Unreachable = 1;
constexpr std::uint8_t kIcmpv6EchoRequest = 128;
constexpr std::uint8_t kIcmpv6EchoReply = 129;
// IPv4 flags and fragment offset: "more fragments" and the offset bits.
constexpr std::uint16_t kFragmentBits = 0x3fff;

void put16(std::uint8_t* out, std::uint16_t value) {
  out[0] = static_cast<std::uint8_t>(value >> 8);
  out[1] = static_cast<std::uint8_t>(value);
}
void put32(std::uint8_t* out, std::uint32_t value) {
  put16(out, static_cast<std::uint16_t>(value >> 16));
  put16(out + 2, static_cast<std::uint16_t>(value));
}
std::uint16_t get16(const std::uint8_t* in) {
  return static_cast<std::uint16_t>(in[0] << 8 | in[1]);
}
std::uint32_t get32(const std::uint8_t* in) {
  return static_cast<std::uint32_t>(get16(in)) << 16 | get16(in + 2);
}

void put_address(std::uint8_t* out, IpAddress address) {
  if (address.is_v4()) {
    put32(out, static_cast<std::uint32_t>(address.value()));
    return;
  }
  std::uint8_t bytes[16];
  address.to_bytes(bytes);
  std::memcpy(out, bytes, sizeof(bytes));
}

IpAddress v4_at(const std::uint8_t* in) { return IpAddress::v4(get32(in)); }
IpAddress v6_at(const std::uint8_t* in) {
  std::uint8_t bytes[16];
  std::memcpy(bytes, in, sizeof(bytes));
  return IpAddress::v6_bytes(bytes);
}

/// Writes the transport part of `probe` at `out`; returns its length. Its checksum is left zero.
std::size_t put_transport(const ProbePacket& probe, std::uint8_t* out) {
  if (probe.kind == ProbeKind::kIcmpEcho) {
    out[0] = probe.source.is_v4() ? kIcmpEchoRequest : kIcmpv6EchoRequest;
    out[1] = 0;
    put16(out + 2, 0);
    put32(out + 4, probe.cookie);
    return kIcmpHeaderBytes;
  }
  const bool syn = probe.kind == ProbeKind::kTcpSyn;
  const std::size_t length = syn ? kTcpHeaderBytes + 4 : kTcpHeaderBytes;
  put16(out, probe.source_port);
  put16(out + 2, probe.destination_port);
  put32(out + 4, probe.cookie);
  put32(out + 8, syn ? 0 : probe.cookie);
  out[12] = static_cast<std::uint8_t>((length / 4) << 4);
  out[13] = syn ? kTcpSyn : kTcpAck;
  put16(out + 14, kTcpWindow);
  put16(out + 16, 0);  // checksum
  put16(out + 18, 0);  // urgent pointer
  if (syn) {
    out[20] = 2;  // MSS option: kind 2, length 4
    out[21] = 4;
    put16(out + 22, kMss);
  }
  return length;
}

/// The TCP header at `in` (`length` bytes to the end of the IP payload) into `reply`.
bool parse_tcp(const std::uint8_t* in, std::size_t length, Reply& reply) {
  if (length < kTcpHeaderBytes) return false;
  const std::size_t header = static_cast<std::size_t>(in[12] >> 4) * 4;
  if (header < kTcpHeaderBytes || header > length) return false;
  reply.kind = ReplyKind::kTcp;
  reply.source_port = get16(in);
  reply.destination_port = get16(in + 2);
  reply.seq = get32(in + 4);
  reply.ack = get32(in + 8);
  reply.flags = in[13];
  return true;
}

/// The first eight transport bytes of a quoted packet of `protocol` into `quoted`.
bool parse_quoted_transport(std::uint8_t protocol, const std::uint8_t* in, QuotedProbe& quoted) {
  if (protocol == kProtocolTcp) {
    quoted.tcp = true;
    quoted.source_port = get16(in);
    quoted.destination_port = get16(in + 2);
    quoted.cookie = get32(in + 4);
    return true;
  }
  const bool echo = (protocol == kProtocolIcmp && in[0] == kIcmpEchoRequest) ||
                    (protocol == kProtocolIcmpv6 && in[0] == kIcmpv6EchoRequest);
  if (!echo || in[1] != 0) return false;
  quoted.tcp = false;
  quoted.cookie = get32(in + 4);
  return true;
}

/// An ICMP error's quote: the start of the IPv4 packet that caused it.
bool parse_quoted_v4(const std::uint8_t* in, std::size_t length, QuotedProbe& quoted) {
  if (length < kIpv4HeaderBytes || (in[0] >> 4) != 4) return false;
  const std::size_t header = static_cast<std::size_t>(in[0] & 0x0f) * 4;
  if (header < kIpv4HeaderBytes || header + 8 > length) return false;
  if ((get16(in + 6) & kFragmentBits) != 0) return false;
  quoted.source = v4_at(in + 12);
  quoted.destination = v4_at(in + 16);
  return parse_quoted_transport(in[9], in + header, quoted);
}

/// An ICMPv6 error's quote: the start of the IPv6 packet that caused it.
bool parse_quoted_v6(const std::uint8_t* in, std::size_t length, QuotedProbe& quoted) {
  if (length < kIpv6HeaderBytes + 8 || (in[0] >> 4) != 6) return false;
  quoted.source = v6_at(in + 8);
  quoted.destination = v6_at(in + 24);
  return parse_quoted_transport(in[6], in + kIpv6HeaderBytes, quoted);
}

std::optional<Reply> parse_v4(const std::uint8_t* in, std::size_t length) {
  if (length < kIpv4HeaderBytes) return std::nullopt;
  const std::size_t header = static_cast<std::size_t>(in[0] & 0x0f) * 4;
  const std::size_t total = get16(in + 2);
  if (header < kIpv4HeaderBytes || total < header || total > length) return std::nullopt;
  if ((get16(in + 6) & kFragmentBits) != 0) return std::nullopt;
  if (fold_checksum(checksum_add({in, header})) != 0) return std::nullopt;
  Reply reply;
  reply.source = v4_at(in + 12);
  reply.destination = v4_at(in + 16);
  const std::uint8_t* payload = in + header;
  const std::size_t payload_length = total - header;
  if (in[9] == kProtocolTcp) {
    if (!parse_tcp(payload, payload_length, reply)) return std::nullopt;
    return reply;
  }
  if (in[9] != kProtocolIcmp || payload_length < kIcmpHeaderBytes) return std::nullopt;
  if (payload[0] == kIcmpEchoReply && payload[1] == 0) {
    reply.kind = ReplyKind::kEchoReply;
    reply.echo_cookie = get32(payload + 4);
    return reply;
  }
  if (payload[0] != kIcmpUnreachable) return std::nullopt;
  reply.kind = ReplyKind::kUnreachable;
  reply.icmp_type = payload[0];
  reply.icmp_code = payload[1];
  if (!parse_quoted_v4(payload + kIcmpHeaderBytes, payload_length - kIcmpHeaderBytes,
                       reply.quoted)) {
    return std::nullopt;
  }
  return reply;
}

std::optional<Reply> parse_v6(const std::uint8_t* in, std::size_t length) {
  if (length < kIpv6HeaderBytes) return std::nullopt;
  const std::size_t payload_length = get16(in + 4);
  if (kIpv6HeaderBytes + payload_length > length) return std::nullopt;
  Reply reply;
  reply.source = v6_at(in + 8);
  reply.destination = v6_at(in + 24);
  const std::uint8_t* payload = in + kIpv6HeaderBytes;
  if (in[6] == kProtocolTcp) {
    if (!parse_tcp(payload, payload_length, reply)) return std::nullopt;
    return reply;
  }
  if (in[6] != kProtocolIcmpv6 || payload_length < kIcmpHeaderBytes) return std::nullopt;
  if (payload[0] == kIcmpv6EchoReply && payload[1] == 0) {
    reply.kind = ReplyKind::kEchoReply;
    reply.echo_cookie = get32(payload + 4);
    return reply;
  }
  if (payload[0] != kIcmpv6Unreachable) return std::nullopt;
  reply.kind = ReplyKind::kUnreachable;
  reply.icmp_type = payload[0];
  reply.icmp_code = payload[1];
  if (!parse_quoted_v6(payload + kIcmpHeaderBytes, payload_length - kIcmpHeaderBytes,
                       reply.quoted)) {
    return std::nullopt;
  }
  return reply;
}

}  // namespace

std::uint32_t checksum_add(std::span<const std::uint8_t> data, std::uint32_t sum) {
  // 64 bits cannot overflow for any input size; folded back to 17 bits for the next call.
  std::uint64_t total = sum;
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) total += get16(data.data() + i);
  if (i < data.size()) total += static_cast<std::uint64_t>(data[i]) << 8;
  while (total >> 16) total = (total & 0xffff) + (total >> 16);
  return static_cast<std::uint32_t>(total);
}

std::uint16_t fold_checksum(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

std::uint32_t pseudo_header_sum(IpAddress source, IpAddress destination, std::uint8_t protocol,
                                std::uint32_t length) {
  std::uint8_t addresses[32];
  const std::size_t size = source.is_v4() ? 4 : 16;
  put_address(addresses, source);
  put_address(addresses + size, destination);
  std::uint32_t sum = checksum_add({addresses, 2 * size});
  sum += protocol;
  sum += length >> 16;
  sum += length & 0xffff;
  return sum;
}

std::size_t build_probe(const ProbePacket& probe, std::span<std::uint8_t, kMaxProbeBytes> out) {
  std::uint8_t* packet = out.data();
  const bool v4 = probe.source.is_v4();
  const std::size_t header = v4 ? kIpv4HeaderBytes : kIpv6HeaderBytes;
  const std::size_t transport = put_transport(probe, packet + header);
  const std::size_t total = header + transport;
  const bool icmp = probe.kind == ProbeKind::kIcmpEcho;
  const std::uint8_t protocol = icmp ? (v4 ? kProtocolIcmp : kProtocolIcmpv6) : kProtocolTcp;
  if (v4) {
    packet[0] = 0x45;
    packet[1] = 0;
    put16(packet + 2, static_cast<std::uint16_t>(total));
    put16(packet + 4, probe.ip_id);
    put16(packet + 6, 0);
    packet[8] = kTtl;
    packet[9] = protocol;
    put16(packet + 10, 0);
    put_address(packet + 12, probe.source);
    put_address(packet + 16, probe.destination);
    put16(packet + 10, fold_checksum(checksum_add({packet, header})));
  } else {
    put32(packet, 0x60000000);  // version 6, no traffic class, no flow label
    put16(packet + 4, static_cast<std::uint16_t>(transport));
    packet[6] = protocol;
    packet[7] = kTtl;
    put_address(packet + 8, probe.source);
    put_address(packet + 24, probe.destination);
  }
  // ICMPv4 is the one checksum without a pseudo-header.
  const std::uint32_t initial = icmp && v4
                                    ? 0
                                    : pseudo_header_sum(probe.source, probe.destination, protocol,
                                                        static_cast<std::uint32_t>(transport));
  const std::size_t checksum_at = header + (icmp ? 2 : 16);
  put16(packet + checksum_at, fold_checksum(checksum_add({packet + header, transport}, initial)));
  return total;
}

std::optional<Reply> parse_reply(std::span<const std::uint8_t> packet) {
  if (packet.empty()) return std::nullopt;
  switch (packet[0] >> 4) {
    case 4:
      return parse_v4(packet.data(), packet.size());
    case 6:
      return parse_v6(packet.data(), packet.size());
    default:
      return std::nullopt;
  }
}

}  // namespace sentinel::scan
