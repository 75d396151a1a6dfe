#include "sentinel/scan/ip_address.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sentinel::scan {
namespace {

TEST(IpAddress, ParsesAndPrintsBothFamilies) {
  const auto v4 = IpAddress::parse("10.1.2.3");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->is_v4());
  EXPECT_EQ(v4->value(), Uint128{0x0a010203});
  EXPECT_EQ(v4->to_string(), "10.1.2.3");

  const auto v6 = IpAddress::parse("2001:DB8:0:0::1");
  ASSERT_TRUE(v6);
  EXPECT_FALSE(v6->is_v4());
  EXPECT_EQ(v6->to_string(), "2001:db8::1");
  EXPECT_EQ(IpAddress::parse("::1")->value(), Uint128{1});
}

TEST(IpAddress, RefusesAmbiguousOrMalformedLiterals) {
  for (const char* bad : {"010.0.0.1", "10.0.0", "10.0.0.1.2", "256.0.0.1", "1.2.3.-1", "",
                          "fe80::1%eth0", "[::1]", "1:2:3:4:5:6:7:8:9", " 10.0.0.1"}) {
    EXPECT_FALSE(IpAddress::parse(bad)) << bad;
  }
}

TEST(IpAddress, OrdersIpv4BeforeIpv6) {
  EXPECT_LT(*IpAddress::parse("255.255.255.255"), *IpAddress::parse("::"));
  EXPECT_LT(*IpAddress::parse("10.0.0.1"), *IpAddress::parse("10.0.0.2"));
}

TEST(AddressRange, NamesCidrBlocksAndPlainRanges) {
  const auto at = [](const char* text) { return *IpAddress::parse(text); };
  EXPECT_EQ((AddressRange{at("10.0.0.0"), at("10.0.0.255")}).to_string(), "10.0.0.0/24");
  EXPECT_EQ((AddressRange{at("10.0.0.5"), at("10.0.0.80")}).to_string(), "10.0.0.5-10.0.0.80");
  EXPECT_EQ(AddressRange::single(at("10.0.0.7")).to_string(), "10.0.0.7");
  EXPECT_EQ((AddressRange{at("0.0.0.0"), at("255.255.255.255")}).to_string(), "0.0.0.0/0");
  EXPECT_EQ((AddressRange{at("::"), IpAddress::v6(~Uint128{0})}).to_string(), "::/0");
  EXPECT_EQ((AddressRange{at("::"), IpAddress::v6(~Uint128{0})}).size(), ~Uint128{0});
  EXPECT_EQ(to_decimal(Uint128{1} << 64), "18446744073709551616");
}

TEST(AddressRange, CoversARangeWithTheFewestCidrBlocks) {
  const auto at = [](const char* text) { return *IpAddress::parse(text); };
  using Blocks = std::vector<std::string>;
  EXPECT_EQ((AddressRange{at("10.0.0.5"), at("10.0.0.80")}).cidrs(),
            (Blocks{"10.0.0.5", "10.0.0.6/31", "10.0.0.8/29", "10.0.0.16/28", "10.0.0.32/27",
                    "10.0.0.64/28", "10.0.0.80"}));
  EXPECT_EQ(AddressRange::single(at("127.0.0.1")).cidrs(), Blocks{"127.0.0.1"});
  EXPECT_EQ((AddressRange{at("10.0.0.0"), at("10.0.1.255")}).cidrs(), Blocks{"10.0.0.0/23"});
  EXPECT_EQ((AddressRange{at("0.0.0.0"), at("255.255.255.255")}).cidrs(), Blocks{"0.0.0.0/0"});
  EXPECT_EQ((AddressRange{at("255.255.255.254"), at("255.255.255.255")}).cidrs(),
            Blocks{"255.255.255.254/31"});
  EXPECT_EQ((AddressRange{at("::"), IpAddress::v6(~Uint128{0})}).cidrs(), Blocks{"::/0"});
  EXPECT_EQ((AddressRange{at("2001:db8::1"), at("2001:db8::3")}).cidrs(),
            (Blocks{"2001:db8::1", "2001:db8::2/127"}));
  EXPECT_EQ(
      (AddressRange{at("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"), IpAddress::v6(~Uint128{0})})
          .cidrs(),
      Blocks{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127"});
}

}  // namespace
}  // namespace sentinel::scan
