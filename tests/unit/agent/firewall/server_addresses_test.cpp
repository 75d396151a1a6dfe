// What a block leaves out so that it never cuts the agent off from its server: the channel
// peer's address in any spelling (IPv4, IPv6, IPv4-mapped IPv6), and every network holding it.

#include "agent/firewall/server_addresses.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sentinel::agent::firewall {
namespace {

using sentinel::firewall::IpAddress;
using ::testing::HasSubstr;

std::vector<IpAddress> servers(std::initializer_list<const char*> texts) {
  std::vector<IpAddress> out;
  for (const char* text : texts) {
    auto address = server_address(text);
    EXPECT_TRUE(address) << text;
    if (address) out.push_back(*address);
  }
  return out;
}

TEST(ServerAddressesTest, APeerReportedIpv4MappedIsTheIpv4Address) {
  EXPECT_EQ(server_address("::ffff:203.0.113.5"), server_address("203.0.113.5"));
  EXPECT_EQ(server_address("::FFFF:cb00:7105"), server_address("203.0.113.5"));
  EXPECT_EQ(server_address("0:0:0:0:0:ffff:203.0.113.5"), server_address("203.0.113.5"));
  EXPECT_EQ(server_address("203.0.113.5")->family, sentinel::firewall::IpFamily::kV4);
  EXPECT_EQ(server_address("2001:DB8::1"), server_address("2001:db8::1"));
  EXPECT_EQ(server_address("2001:db8::1")->family, sentinel::firewall::IpFamily::kV6);
  EXPECT_FALSE(server_address("server.example"));
  EXPECT_FALSE(server_address("203.0.113.0/24"));
  EXPECT_EQ(server_address("fe80::1%eth0"), server_address("fe80::1"));
  EXPECT_FALSE(server_address("%eth0"));
  EXPECT_FALSE(server_address(""));
}

TEST(ServerAddressesTest, TheServersAddressIsLeftOutAndTheRestBlocked) {
  const ServerSplit split =
      without_servers({"198.51.100.7", "203.0.113.5", "198.51.100.8"}, servers({"203.0.113.5"}));
  EXPECT_EQ(split.blocked, (std::vector<std::string>{"198.51.100.7", "198.51.100.8"}));
  ASSERT_EQ(split.left_out.size(), 1u);
  EXPECT_EQ(split.left_out[0].address, "203.0.113.5");
  EXPECT_EQ(split.left_out[0].reason, "the server this agent reports to (203.0.113.5)");
}

TEST(ServerAddressesTest, Ipv6AndEverySpellingOfIt) {
  const auto v6 = servers({"2001:db8::5"});
  EXPECT_TRUE(server_protects("2001:db8::5", v6));
  EXPECT_TRUE(server_protects("2001:DB8:0:0:0:0:0:5", v6));
  EXPECT_TRUE(server_protects("2001:db8::/64", v6));
  EXPECT_FALSE(server_protects("2001:db8::6", v6));
  EXPECT_FALSE(server_protects("2001:db8:1::/48", v6));
  EXPECT_FALSE(server_protects("203.0.113.5", v6));
}

TEST(ServerAddressesTest, MappedFormsOnEitherSideAreTheSameIpv4Address) {
  // The peer as a dual-stack socket reports it, the block as IPv4.
  const auto mapped_peer = servers({"::ffff:203.0.113.5"});
  EXPECT_TRUE(server_protects("203.0.113.5", mapped_peer));
  EXPECT_TRUE(server_protects("203.0.113.0/24", mapped_peer));
  EXPECT_FALSE(server_protects("203.0.113.6", mapped_peer));
  // The peer as IPv4, the block spelt mapped (in either notation) or as a mapped network.
  const auto v4_peer = servers({"203.0.113.5"});
  EXPECT_TRUE(server_protects("::ffff:203.0.113.5", v4_peer));
  EXPECT_TRUE(server_protects("::ffff:cb00:7105", v4_peer));
  EXPECT_TRUE(server_protects("::ffff:203.0.113.0/120", v4_peer));
  EXPECT_TRUE(server_protects("::ffff:0:0/96", v4_peer));
  EXPECT_FALSE(server_protects("::ffff:203.0.114.0/120", v4_peer));
  // Not mapped: 2001:db8::cb00:7105 is another host.
  EXPECT_FALSE(server_protects("2001:db8::cb00:7105", v4_peer));
}

TEST(ServerAddressesTest, ANetworkThatContainsTheServerIsLeftOutWhole) {
  const auto peer = servers({"10.20.30.40"});
  for (const char* network : {"10.20.30.40/32", "10.20.30.0/24", "10.0.0.0/8", "0.0.0.0/0"}) {
    const auto reason = server_protects(network, peer);
    ASSERT_TRUE(reason) << network;
    if (std::string_view(network) != "10.20.30.40/32") {
      EXPECT_THAT(*reason, HasSubstr("it contains 10.20.30.40, the server this agent reports to"));
    }
  }
  for (const char* network : {"10.20.31.0/24", "10.20.30.41", "11.0.0.0/8", "10.20.30.32/30"}) {
    EXPECT_FALSE(server_protects(network, peer)) << network;
  }
}

TEST(ServerAddressesTest, EveryResolvedAddressIsProtectedAndNothingWithoutThem) {
  const auto resolved = servers({"203.0.113.5", "2001:db8::5"});
  const ServerSplit split =
      without_servers({"2001:db8::5", "203.0.113.5", "203.0.113.9"}, resolved);
  EXPECT_EQ(split.blocked, std::vector<std::string>{"203.0.113.9"});
  EXPECT_EQ(split.left_out.size(), 2u);
  EXPECT_EQ(without_servers({"203.0.113.5"}, {}).blocked, std::vector<std::string>{"203.0.113.5"});
  // What does not parse is for the command's parser to refuse, not for this check.
  EXPECT_FALSE(server_protects("not an address", resolved));
  EXPECT_FALSE(server_protects("203.0.113.5/33", resolved));
}

}  // namespace
}  // namespace sentinel::agent::firewall
