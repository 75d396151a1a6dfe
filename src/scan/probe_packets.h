#pragma once
// Raw probe packets and the replies to them, as bytes: IPv4/IPv6 headers with a TCP SYN, a TCP
// ACK or an ICMP echo request, and a strict parser of what may come back (TCP segments, echo
// replies, ICMP destination-unreachable errors quoting a probe). Pure: no sockets, no clock.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "sentinel/scan/ip_address.h"

namespace sentinel::scan {

/// TCP header flags.
inline constexpr std::uint8_t kTcpFin = 0x01;
inline constexpr std::uint8_t kTcpSyn = 0x02;
inline constexpr std::uint8_t kTcpRst = 0x04;
inline constexpr std::uint8_t kTcpAck = 0x10;

/// What a probe asks.
enum class ProbeKind : std::uint8_t {
  kTcpSyn,    // SYN with an MSS option: SYN-ACK (open) or RST (closed)
  kTcpAck,    // bare ACK: any live host answers RST, whatever the port's state
  kIcmpEcho,  // ICMP or ICMPv6 echo request without payload
};

/// One probe packet. `cookie` is the TCP sequence number (and, for ACK probes, the
/// acknowledgment number: the RST that answers carries it as its sequence number); for echo
/// requests its high half is the identifier and its low half the sequence number. Ports are
/// unused for echo requests.
struct ProbePacket {
  IpAddress source;
  IpAddress destination;
  ProbeKind kind = ProbeKind::kTcpSyn;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint32_t cookie = 0;
  /// IPv4 identification (nonzero spares the kernel choosing one); unused for IPv6.
  std::uint16_t ip_id = 1;
};

/// The largest packet build_probe() writes (IPv6 header + TCP header with MSS option).
inline constexpr std::size_t kMaxProbeBytes = 64;

/// Writes the packet, network header first, checksums included, into `out`; returns its length.
/// Both addresses must be of one family.
std::size_t build_probe(const ProbePacket& probe, std::span<std::uint8_t, kMaxProbeBytes> out);

/// RFC 1071 one's-complement sum of `data` (odd length padded with zero) added to `sum`, not
/// yet folded or inverted: chain calls, then finish with fold_checksum().
std::uint32_t checksum_add(std::span<const std::uint8_t> data, std::uint32_t sum = 0);
/// Folds a running sum to 16 bits and inverts it: the value a checksum field holds.
std::uint16_t fold_checksum(std::uint32_t sum);
/// The running sum of the TCP/UDP/ICMPv6 pseudo-header (addresses, protocol, length).
std::uint32_t pseudo_header_sum(IpAddress source, IpAddress destination, std::uint8_t protocol,
                                std::uint32_t length);

/// What a received packet is, for a scanner.
enum class ReplyKind : std::uint8_t {
  kTcp,          // a TCP segment
  kEchoReply,    // ICMP or ICMPv6 echo reply
  kUnreachable,  // ICMP/ICMPv6 destination unreachable that quotes a TCP or echo packet
};

/// The probe an ICMP error quotes: its addresses, protocol and first transport bytes.
struct QuotedProbe {
  IpAddress source;
  IpAddress destination;
  /// kTcp for a quoted TCP segment, else an echo request.
  bool tcp = true;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  /// The quoted TCP sequence number, or the echo identifier (high) and sequence (low).
  std::uint32_t cookie = 0;
};

/// A parsed reply. Fields beyond the outer addresses are set for their kind only.
struct Reply {
  ReplyKind kind = ReplyKind::kTcp;
  IpAddress source;
  IpAddress destination;
  // kTcp
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  // kEchoReply: identifier (high) and sequence (low)
  std::uint32_t echo_cookie = 0;
  // kUnreachable
  std::uint8_t icmp_type = 0;
  std::uint8_t icmp_code = 0;
  QuotedProbe quoted;
};

/// Parses an IPv4 or IPv6 packet (network header first, as a cooked packet socket delivers it;
/// bytes beyond the IP length are ignored). nullopt for anything a scan does not use or that is
/// malformed: wrong version, bad lengths, a bad IPv4 header checksum, fragments, IPv6 extension
/// headers, other protocols and ICMP types, truncated quotes. Transport checksums are not
/// checked (locally generated packets on loopback carry partial ones); the cookie authenticates.
std::optional<Reply> parse_reply(std::span<const std::uint8_t> packet);

}  // namespace sentinel::scan
