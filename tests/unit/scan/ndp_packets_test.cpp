// NDP packets against bytes built independently (a Python script packing the RFC 4861 layout
// with its own checksum code): the Neighbor Solicitation byte for byte, the solicited-node
// address, and the strict Neighbor Advertisement parser, on valid and on hostile input.

#include "src/scan/ndp_packets.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "src/scan/ndp_sweep.h"
#include "tests/unit/scan/hex_bytes.h"

namespace sentinel::scan {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

using testing::from_hex;

const MacAddress kOurMac{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
const MacAddress kTheirMac{0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f};

// A solicited, overriding advertisement for 2001:db8:5ca0::abcd:1234 with the target
// link-layer address option 0a:1b:2c:3d:4e:5f, as the Python script built it.
constexpr std::string_view kAdvertisement =
    "880075db6000000020010db85ca0000000000000abcd123402010a1b2c3d4e5f";

TEST(NdpPackets, SolicitedNodeAddressKeepsTheLow24BitsUnderFf02_1_Ff) {
  EXPECT_EQ(solicited_node_address(ip("2001:db8:5ca0::abcd:1234")), ip("ff02::1:ffcd:1234"));
  EXPECT_EQ(solicited_node_address(ip("fd00:5ca0:7::2")), ip("ff02::1:ff00:2"));
  EXPECT_EQ(solicited_node_address(ip("fe80::fc:ffff:feff:ffff")), ip("ff02::1:ffff:ffff"));
}

TEST(NdpPackets, SolicitationIsByteExactWithChecksumAndSourceLinkAddressOption) {
  const auto message =
      build_neighbor_solicitation(ip("2001:db8:5ca0::1"), ip("2001:db8:5ca0::abcd:1234"), kOurMac);
  EXPECT_EQ(std::vector<std::uint8_t>(message.begin(), message.end()),
            from_hex("870033d70000000020010db85ca0000000000000abcd1234010102005e100001"));
}

TEST(NdpPackets, AdvertisementGivesTargetFlagsAndMac) {
  const auto bytes = from_hex(kAdvertisement);
  const auto parsed = parse_neighbor_advertisement(bytes, 255);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->target, ip("2001:db8:5ca0::abcd:1234"));
  EXPECT_TRUE(parsed->solicited);
  EXPECT_TRUE(parsed->override_entry);
  EXPECT_FALSE(parsed->router);
  ASSERT_TRUE(parsed->link_address);
  EXPECT_EQ(*parsed->link_address, kTheirMac);
  EXPECT_EQ(mac_to_string(*parsed->link_address), "0a:1b:2c:3d:4e:5f");
}

TEST(NdpPackets, AdvertisementThatCrossedARouterOrIsNotAnAdvertisementIsRefused) {
  const auto bytes = from_hex(kAdvertisement);
  EXPECT_FALSE(parse_neighbor_advertisement(bytes, 254));
  EXPECT_FALSE(parse_neighbor_advertisement(bytes, 64));
  EXPECT_FALSE(parse_neighbor_advertisement(bytes, -1));  // no hop limit known
  auto solicitation = bytes;
  solicitation[0] = 135;
  EXPECT_FALSE(parse_neighbor_advertisement(solicitation, 255));
  auto code = bytes;
  code[1] = 1;
  EXPECT_FALSE(parse_neighbor_advertisement(code, 255));
  EXPECT_FALSE(parse_neighbor_advertisement(std::span(bytes).first(23), 255));
  EXPECT_FALSE(parse_neighbor_advertisement({}, 255));
}

TEST(NdpPackets, MulticastTargetIsRefused) {
  auto bytes = from_hex(kAdvertisement);
  bytes[8] = 0xff;
  bytes[9] = 0x02;
  EXPECT_FALSE(parse_neighbor_advertisement(bytes, 255));
}

TEST(NdpPackets, MalformedOptionsRefuseTheWholeMessage) {
  const auto bytes = from_hex(kAdvertisement);
  auto zero_length = bytes;
  zero_length[25] = 0;  // RFC 4861 4.6: a zero-length option is discarded with its message
  EXPECT_FALSE(parse_neighbor_advertisement(zero_length, 255));
  auto overrun = bytes;
  overrun[25] = 2;  // claims 16 bytes, 8 follow
  EXPECT_FALSE(parse_neighbor_advertisement(overrun, 255));
  auto dangling = bytes;
  dangling.push_back(14);  // one byte of a next option
  EXPECT_FALSE(parse_neighbor_advertisement(dangling, 255));
}

TEST(NdpPackets, OptionsOtherThanAnEthernetTargetAddressGiveNoMac) {
  const auto bytes = from_hex(kAdvertisement);
  // Without options: up, no MAC.
  const auto bare = parse_neighbor_advertisement(std::span(bytes).first(24), 255);
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->target, ip("2001:db8:5ca0::abcd:1234"));
  EXPECT_FALSE(bare->link_address);
  // A source link-layer address option (type 1) is not the target's.
  auto source_option = bytes;
  source_option[24] = 1;
  const auto source = parse_neighbor_advertisement(source_option, 255);
  ASSERT_TRUE(source);
  EXPECT_FALSE(source->link_address);
  // A 16-byte target option is some other link type's.
  auto long_option = bytes;
  long_option[25] = 2;
  long_option.insert(long_option.end(), 8, 0);
  const auto other_link = parse_neighbor_advertisement(long_option, 255);
  ASSERT_TRUE(other_link);
  EXPECT_FALSE(other_link->link_address);
  // A nonce option (type 14) before the target option is skipped; of two target options the
  // first counts.
  auto several = std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 24);
  const auto nonce = from_hex("0e01010203040506");
  const auto second = from_hex("0201020304050607");
  several.insert(several.end(), nonce.begin(), nonce.end());
  several.insert(several.end(), bytes.begin() + 24, bytes.end());
  several.insert(several.end(), second.begin(), second.end());
  const auto parsed = parse_neighbor_advertisement(several, 255);
  ASSERT_TRUE(parsed);
  ASSERT_TRUE(parsed->link_address);
  EXPECT_EQ(*parsed->link_address, kTheirMac);
}

TEST(NdpPackets, FlagsAreReadBitByBit) {
  auto bytes = from_hex(kAdvertisement);
  bytes[4] = 0x80;
  const auto router = parse_neighbor_advertisement(bytes, 255);
  ASSERT_TRUE(router);
  EXPECT_TRUE(router->router);
  EXPECT_FALSE(router->solicited);
  EXPECT_FALSE(router->override_entry);
  bytes[4] = 0x20;  // an unsolicited announcement
  const auto announcement = parse_neighbor_advertisement(bytes, 255);
  ASSERT_TRUE(announcement);
  EXPECT_FALSE(announcement->solicited);
  EXPECT_TRUE(announcement->override_entry);
}

TEST(Ipv6LinkSegment, HoldsOtherUnicastAddressesOfItsPrefixOnly) {
  Ipv6LinkSegment segment;
  segment.address = ip("fd00:5ca0:3::1");
  segment.prefix_length = 64;
  EXPECT_TRUE(segment.holds(ip("fd00:5ca0:3::2")));
  EXPECT_TRUE(segment.holds(ip("fd00:5ca0:3:0:ffff:ffff:ffff:ffff")));
  EXPECT_FALSE(segment.holds(ip("fd00:5ca0:3::1")));  // ours
  EXPECT_FALSE(segment.holds(ip("fd00:5ca0:4::2")));
  EXPECT_FALSE(segment.holds(ip("fd00:5ca0:3:1::2")));
  EXPECT_FALSE(segment.holds(ip("10.0.0.2")));
  segment.prefix_length = 120;
  EXPECT_TRUE(segment.holds(ip("fd00:5ca0:3::ff")));
  EXPECT_FALSE(segment.holds(ip("fd00:5ca0:3::100")));
}

}  // namespace
}  // namespace sentinel::scan
