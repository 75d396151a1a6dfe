// What the cut-off check protects for an agent: the channel's address from the config, or
// nothing (and why) when the server cannot know it.

#include "src/firewall/channel_endpoint.h"

#include <gtest/gtest.h>

namespace sentinel::firewall {
namespace {

std::string endpoint_of(const CutOffContext& context) {
  if (context.endpoints.size() != 1) return "<" + context.unknown + ">";
  const ServerEndpoint& endpoint = context.endpoints.front();
  return format_ip_address(endpoint.address) + " " + std::to_string(endpoint.port);
}

TEST(ChannelEndpointTest, TheListenAddressIsTheEndpoint) {
  const CutOffContext context = cut_off_context("192.0.2.1:8444", "", "198.51.100.7");
  EXPECT_EQ(endpoint_of(context), "192.0.2.1 8444");
  ASSERT_TRUE(context.agent_address);
  EXPECT_EQ(format_ip_address(*context.agent_address), "198.51.100.7");
  EXPECT_TRUE(context.unknown.empty());
  EXPECT_EQ(endpoint_of(cut_off_context("[2001:db8::1]:9000", "", "")), "2001:db8::1 9000");
}

TEST(ChannelEndpointTest, ThePublicChannelUrlWinsOverTheListenAddress) {
  EXPECT_EQ(endpoint_of(cut_off_context("0.0.0.0:8444", "wss://203.0.113.5:9443/agents", "")),
            "203.0.113.5 9443");
  EXPECT_EQ(endpoint_of(cut_off_context("0.0.0.0:8444", "wss://203.0.113.5", "")),
            "203.0.113.5 443");
  EXPECT_EQ(endpoint_of(cut_off_context("0.0.0.0:8444", "wss://[2001:db8::5]/", "")),
            "2001:db8::5 443");
}

TEST(ChannelEndpointTest, AWildcardOrANameIsNotKnownExceptOnLoopback) {
  EXPECT_EQ(endpoint_of(cut_off_context("0.0.0.0:8444", "", "127.0.0.1")), "127.0.0.1 8444");
  EXPECT_EQ(endpoint_of(cut_off_context("[::]:8444", "", "::1")), "::1 8444");
  const CutOffContext remote = cut_off_context("0.0.0.0:8444", "", "198.51.100.7");
  EXPECT_TRUE(remote.endpoints.empty());
  EXPECT_NE(remote.unknown.find("agents.listen 0.0.0.0:8444"), std::string::npos) << remote.unknown;
  const CutOffContext named = cut_off_context("0.0.0.0:8444", "wss://sentinel.example", "");
  EXPECT_TRUE(named.endpoints.empty());
  EXPECT_NE(named.unknown.find("agents.public_channel_url"), std::string::npos) << named.unknown;
  const auto warning = unknown_endpoint_warning(named);
  ASSERT_TRUE(warning);
  EXPECT_EQ(warning->code, "may_cut_off");
  EXPECT_EQ(warning->severity, Severity::kWarning);
}

TEST(ChannelEndpointTest, AMappedIpv4PeerIsIpv4) {
  const auto address = agent_address_of("::ffff:192.0.2.9");
  ASSERT_TRUE(address);
  EXPECT_EQ(address->family, IpFamily::kV4);
  EXPECT_EQ(format_ip_address(*address), "192.0.2.9");
  EXPECT_FALSE(agent_address_of(""));
  EXPECT_FALSE(agent_address_of("not an address"));
}

}  // namespace
}  // namespace sentinel::firewall
