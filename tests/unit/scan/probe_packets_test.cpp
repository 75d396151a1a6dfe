// Raw probe packets and reply parsing against packets built independently (a Python script
// with its own checksum code): byte-exact builders, valid checksums, strict parsing.

#include "src/scan/probe_packets.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "tests/unit/scan/hex_bytes.h"

namespace sentinel::scan {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

using testing::from_hex;

/// Recomputes the IPv4 header checksum of a packet edited by a test.
void fix_ipv4_checksum(std::vector<std::uint8_t>& packet) {
  packet[10] = 0;
  packet[11] = 0;
  const std::size_t header = static_cast<std::size_t>(packet[0] & 0x0f) * 4;
  const std::uint16_t sum = fold_checksum(checksum_add({packet.data(), header}));
  packet[10] = static_cast<std::uint8_t>(sum >> 8);
  packet[11] = static_cast<std::uint8_t>(sum);
}

std::vector<std::uint8_t> build(const ProbePacket& probe) {
  std::array<std::uint8_t, kMaxProbeBytes> buffer{};
  const std::size_t length = build_probe(probe, buffer);
  return {buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length)};
}

ProbePacket probe_v4(ProbeKind kind, std::uint16_t sport, std::uint16_t dport, std::uint32_t cookie,
                     std::uint16_t id) {
  ProbePacket probe;
  probe.source = ip("192.0.2.1");
  probe.destination = ip("198.51.100.7");
  probe.kind = kind;
  probe.source_port = sport;
  probe.destination_port = dport;
  probe.cookie = cookie;
  probe.ip_id = id;
  return probe;
}

ProbePacket probe_v6(ProbeKind kind, std::uint32_t cookie) {
  ProbePacket probe;
  probe.source = ip("2001:db8::1");
  probe.destination = ip("2001:db8::2");
  probe.kind = kind;
  probe.source_port = 40000;
  probe.destination_port = 443;
  probe.cookie = cookie;
  return probe;
}

TEST(ProbePackets, BuildsTheIpv4SynByteForByte) {
  EXPECT_EQ(build(probe_v4(ProbeKind::kTcpSyn, 40000, 443, 0x01020304, 0x1235)),
            from_hex("4500002c1235000040067c5bc0000201c63364079c4001bb0102030400000000600204"
                     "0005e90000020405b4"));
}

TEST(ProbePackets, BuildsTheIpv4AckWithTheCookieInBothNumbers) {
  EXPECT_EQ(build(probe_v4(ProbeKind::kTcpAck, 40001, 80, 0xdeadbeef, 0x0101)),
            from_hex("450000280101000040068d93c0000201c63364079c410050deadbeefdeadbeef501004"
                     "00e7cb0000"));
}

TEST(ProbePackets, BuildsTheIcmpEchoRequest) {
  EXPECT_EQ(build(probe_v4(ProbeKind::kIcmpEcho, 0, 0, 0xabcd1234, 0x4242)),
            from_hex("4500001c4242000040014c63c0000201c6336407080039feabcd1234"));
}

TEST(ProbePackets, BuildsIpv6SynAndEchoWithPseudoHeaderChecksums) {
  EXPECT_EQ(build(probe_v6(ProbeKind::kTcpSyn, 0x01020304)),
            from_hex("600000000018064020010db800000000000000000000000120010db800000000000000"
                     "00000000029c4001bb01020304000000006002040096b00000020405b4"));
  EXPECT_EQ(build(probe_v6(ProbeKind::kIcmpEcho, 0xabcd1234)),
            from_hex("6000000000083a4020010db800000000000000000000000120010db800000000000000"
                     "000000000280006646abcd1234"));
}

TEST(ProbePackets, EveryBuiltChecksumVerifies) {
  for (const std::uint32_t cookie : {0u, 1u, 0xffffffffu, 0x80000000u, 0x12345678u}) {
    for (const ProbeKind kind : {ProbeKind::kTcpSyn, ProbeKind::kTcpAck, ProbeKind::kIcmpEcho}) {
      const auto v4 = build(probe_v4(kind, 65535, 1, cookie, 0xffff));
      EXPECT_EQ(fold_checksum(checksum_add({v4.data(), 20})), 0);
      const std::span<const std::uint8_t> segment(v4.data() + 20, v4.size() - 20);
      const std::uint32_t initial =
          kind == ProbeKind::kIcmpEcho
              ? 0
              : pseudo_header_sum(ip("192.0.2.1"), ip("198.51.100.7"), 6,
                                  static_cast<std::uint32_t>(segment.size()));
      EXPECT_EQ(fold_checksum(checksum_add(segment, initial)), 0) << static_cast<int>(kind);

      const auto v6 = build(probe_v6(kind, cookie));
      const std::span<const std::uint8_t> payload(v6.data() + 40, v6.size() - 40);
      const std::uint8_t protocol = kind == ProbeKind::kIcmpEcho ? 58 : 6;
      EXPECT_EQ(fold_checksum(checksum_add(
                    payload, pseudo_header_sum(ip("2001:db8::1"), ip("2001:db8::2"), protocol,
                                               static_cast<std::uint32_t>(payload.size())))),
                0);
    }
  }
}

TEST(ProbePackets, ChecksumOfOddLengthPadsWithZero) {
  const std::uint8_t odd[] = {0x01, 0x02, 0x03};
  // 0x0102 + 0x0300 = 0x0402 -> inverted 0xfbfd
  EXPECT_EQ(fold_checksum(checksum_add(odd)), 0xfbfd);
}

TEST(ReplyParsing, ReadsALinuxStyleSynAck) {
  const auto packet = from_hex(
      "4500003c0000000040068e80c6336407c000020101bb9c401111111101020305a0120400996a00000204ffd7"
      "0402080a000000010000000001030307");
  const auto reply = parse_reply(packet);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->kind, ReplyKind::kTcp);
  EXPECT_EQ(reply->source, ip("198.51.100.7"));
  EXPECT_EQ(reply->destination, ip("192.0.2.1"));
  EXPECT_EQ(reply->source_port, 443);
  EXPECT_EQ(reply->destination_port, 40000);
  EXPECT_EQ(reply->seq, 0x11111111u);
  EXPECT_EQ(reply->ack, 0x01020305u);
  EXPECT_EQ(reply->flags, kTcpSyn | kTcpAck);
}

TEST(ReplyParsing, ReadsARstAndIgnoresEthernetPadding) {
  auto packet =
      from_hex("450000280000000040068e94c6336407c000020101bc9c400000000001020305501404001d910000");
  packet.insert(packet.end(), 6, 0);  // a minimum-size Ethernet frame pads 40 bytes to 46
  const auto reply = parse_reply(packet);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->flags, kTcpRst | kTcpAck);
  EXPECT_EQ(reply->source_port, 444);
  EXPECT_EQ(reply->ack, 0x01020305u);
}

TEST(ReplyParsing, ReadsAnIcmpUnreachableFromARouterQuotingOurSyn) {
  const auto packet = from_hex(
      "450000380077000040017c4bcb007101c0000201030d5af1000000004500002c1235000040067c5bc0000201"
      "c63364079c4001bb01020304");
  const auto reply = parse_reply(packet);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->kind, ReplyKind::kUnreachable);
  EXPECT_EQ(reply->source, ip("203.0.113.1"));
  EXPECT_EQ(reply->icmp_type, 3);
  EXPECT_EQ(reply->icmp_code, 13);
  EXPECT_TRUE(reply->quoted.tcp);
  EXPECT_EQ(reply->quoted.source, ip("192.0.2.1"));
  EXPECT_EQ(reply->quoted.destination, ip("198.51.100.7"));
  EXPECT_EQ(reply->quoted.source_port, 40000);
  EXPECT_EQ(reply->quoted.destination_port, 443);
  EXPECT_EQ(reply->quoted.cookie, 0x01020304u);
}

TEST(ReplyParsing, ReadsEchoReplies) {
  const auto v4 = parse_reply(from_hex("4500001c0099000040018e0cc6336407c0000201000041feabcd1234"));
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->kind, ReplyKind::kEchoReply);
  EXPECT_EQ(v4->echo_cookie, 0xabcd1234u);
  const auto v6 = parse_reply(from_hex(
      "6000000000083a4020010db800000000000000000000000220010db8000000000000000000000001810000"
      "00abcd1234"));
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->kind, ReplyKind::kEchoReply);
  EXPECT_EQ(v6->source, ip("2001:db8::2"));
  EXPECT_EQ(v6->echo_cookie, 0xabcd1234u);
}

TEST(ReplyParsing, ReadsIpv6SynAckAndUnreachable) {
  const auto synack = parse_reply(from_hex(
      "600000000018064020010db800000000000000000000000220010db800000000000000000000000101bb9c40"
      "222222220102030560120400525b0000020405b4"));
  ASSERT_TRUE(synack);
  EXPECT_EQ(synack->kind, ReplyKind::kTcp);
  EXPECT_EQ(synack->source, ip("2001:db8::2"));
  EXPECT_EQ(synack->ack, 0x01020305u);
  const auto unreachable = parse_reply(from_hex(
      "6000000000483a4020010db80000000000000000000000fe20010db800000000000000000000000101010000"
      "00000000600000000018064020010db800000000000000000000000120010db80000000000000000000000029c"
      "4001bb01020304000000006002040096b00000020405b4"));
  ASSERT_TRUE(unreachable);
  EXPECT_EQ(unreachable->kind, ReplyKind::kUnreachable);
  EXPECT_EQ(unreachable->source, ip("2001:db8::fe"));
  EXPECT_EQ(unreachable->icmp_code, 1);
  EXPECT_EQ(unreachable->quoted.destination, ip("2001:db8::2"));
  EXPECT_EQ(unreachable->quoted.destination_port, 443);
  EXPECT_EQ(unreachable->quoted.cookie, 0x01020304u);
}

TEST(ReplyParsing, ParsesWhatItBuilds) {
  const auto syn = build(probe_v4(ProbeKind::kTcpSyn, 40000, 443, 0x01020304, 7));
  const auto reply = parse_reply(syn);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->flags, kTcpSyn);
  EXPECT_EQ(reply->seq, 0x01020304u);
  const auto v6 = parse_reply(build(probe_v6(ProbeKind::kTcpAck, 5)));
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->ack, 5u);
}

TEST(ReplyParsing, RefusesMalformedAndUnusedPackets) {
  const auto rst =
      from_hex("450000280000000040068e94c6336407c000020101bc9c400000000001020305501404001d910000");
  ASSERT_TRUE(parse_reply(rst));
  EXPECT_FALSE(parse_reply({}));
  for (std::size_t cut = 0; cut < rst.size(); ++cut) {
    EXPECT_FALSE(parse_reply(std::span(rst.data(), cut))) << "truncated to " << cut;
  }
  auto bad_checksum = rst;
  bad_checksum[10] ^= 1;
  EXPECT_FALSE(parse_reply(bad_checksum));
  auto fragment = rst;  // "more fragments" set
  fragment[6] = 0x20;
  fix_ipv4_checksum(fragment);
  EXPECT_FALSE(parse_reply(fragment));
  auto too_long = rst;  // total length beyond the bytes captured
  too_long[3] = 0x29;
  fix_ipv4_checksum(too_long);
  EXPECT_FALSE(parse_reply(too_long));
  auto short_offset = rst;  // TCP data offset 4 (16 bytes): impossible
  short_offset[32] = 0x40;
  EXPECT_FALSE(parse_reply(short_offset));
  const auto request = build(probe_v4(ProbeKind::kIcmpEcho, 0, 0, 1, 1));
  EXPECT_FALSE(parse_reply(request)) << "our own echo requests are not replies";

  // An IPv6 packet with a hop-by-hop header first (next header 0).
  auto hop_by_hop = from_hex(
      "600000000018004020010db800000000000000000000000220010db800000000000000000000000101bb9c40"
      "222222220102030560120400525b0000020405b4");
  EXPECT_FALSE(parse_reply(hop_by_hop));
  // An ICMP error whose quote is cut inside the TCP header.
  auto quote = from_hex(
      "450000380077000040017c4bcb007101c0000201030d5af1000000004500002c1235000040067c5bc0000201"
      "c63364079c4001bb01020304");
  ASSERT_TRUE(parse_reply(quote));
  quote.resize(quote.size() - 1);
  quote[3] = static_cast<std::uint8_t>(quote.size());
  fix_ipv4_checksum(quote);
  EXPECT_FALSE(parse_reply(quote));
}

}  // namespace
}  // namespace sentinel::scan
