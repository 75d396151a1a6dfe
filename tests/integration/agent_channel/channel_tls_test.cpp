// Mutual TLS on the agent channel: only a clientAuth certificate from the agent CA that the
// agents service allows reaches ChannelHandler::open, and the agent accepts only a serverAuth
// certificate from the same CA.

#include <gtest/gtest.h>

#include "tests/integration/agent_channel/channel_fixture.h"

namespace sentinel::test {
namespace {

TEST_F(ChannelTest, AnAgentCertificateOpensASessionThatKnowsWhoItIs) {
  start();
  const IssuedCertificate cert = client_cert("agent-7f3a");
  auto connection = agent::ChannelConnection::open(endpoint(cert));
  ASSERT_TRUE(connection) << connection.error().message;
  ASSERT_TRUE(eventually([&] { return handler_.opens() == 1; }));

  const gateway::PeerCertificate peer = handler_.opened().at(0);
  EXPECT_EQ(peer.common_name, "agent-7f3a");
  EXPECT_EQ(peer.serial_hex, cert.serial_hex);
  EXPECT_EQ(peer.fingerprint_sha256, cert.fingerprint_sha256);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  EXPECT_GT(peer.not_after_ms, now_ms + 29LL * 24 * 3600 * 1000);  // issued for 30 days
  EXPECT_LT(peer.not_after_ms, now_ms + 31LL * 24 * 3600 * 1000);
  ASSERT_EQ(handler_.checked().size(), 1u);
  EXPECT_EQ(handler_.checked()[0].common_name, "agent-7f3a");
  EXPECT_EQ(handler_.session()->sink().remote_address(), "127.0.0.1");
}

TEST_F(ChannelTest, AClientWithoutACertificateNeverReachesOpen) {
  start();
  auto client = RawTlsClient::connect(port_, pki_->ca_file());
  if (client) {  // TLS 1.3: the client may finish its handshake before the server refuses
    const std::string response = client->upgrade("/agent/v1/channel");
    EXPECT_EQ(response.find("101"), std::string::npos) << response;
  }
  EXPECT_TRUE(eventually([&] {
    return metric(R"(sentinel_agent_channel_refused_total{reason="certificate"})") == 1;
  }));
  EXPECT_EQ(handler_.opens(), 0u);
  EXPECT_TRUE(handler_.checked().empty());
}

TEST_F(ChannelTest, ACertificateFromAnotherCaIsRefused) {
  start();
  TempDir other_dir("sentinel-other-ca");
  auto other = TestPki::create(other_dir.path(), "Somebody Else's CA");
  ASSERT_TRUE(other) << other.error().message;
  auto stranger = other->client_certificate("agent-stranger");
  ASSERT_TRUE(stranger);

  agent::ChannelEndpoint where = endpoint(*stranger);
  where.ca_file = pki_->ca_file();  // the agent trusts the right server
  auto connection = agent::ChannelConnection::open(where);
  ASSERT_FALSE(connection);
  EXPECT_EQ(connection.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(handler_.opens(), 0u);
  EXPECT_TRUE(handler_.checked().empty()) << "the chain must fail before the service is asked";
}

TEST_F(ChannelTest, AServerAuthOnlyCertificateIsNoAgentCertificate) {
  start();
  auto impostor = pki_->issue(
      "impostor", {.common_name = "agent-impostor", .extended_key_usage = {"serverAuth"}});
  ASSERT_TRUE(impostor);
  auto connection = agent::ChannelConnection::open(endpoint(*impostor));
  ASSERT_FALSE(connection);
  EXPECT_EQ(handler_.opens(), 0u);
  EXPECT_TRUE(handler_.checked().empty());

  // Without any extended key usage the purpose is unstated: refused as well.
  auto vague = pki_->issue("vague", {.common_name = "agent-vague"});
  ASSERT_TRUE(vague);
  EXPECT_FALSE(agent::ChannelConnection::open(endpoint(*vague)));
  EXPECT_EQ(handler_.opens(), 0u);
}

TEST_F(ChannelTest, ACertificateTheServiceRefusesNeverReachesOpen) {
  handler_.allow = false;
  start();
  auto refused = agent::ChannelConnection::open(endpoint(client_cert("agent-revoked")));
  ASSERT_FALSE(refused);
  EXPECT_EQ(handler_.opens(), 0u);
  ASSERT_EQ(handler_.checked().size(), 1u);
  EXPECT_EQ(handler_.checked()[0].common_name, "agent-revoked");

  // Every handshake asks again (no session resumption): allowed now, it opens.
  handler_.allow = true;
  auto again = connect("agent-revoked");
  ASSERT_TRUE(again);
  EXPECT_TRUE(eventually([&] { return handler_.opens() == 1; }));
  EXPECT_EQ(handler_.checked().size(), 2u);
}

TEST_F(ChannelTest, TheAgentRefusesAServerCertificateWithoutServerAuth) {
  auto client_purpose = pki_->issue("server-wrong-purpose", {.common_name = "sentinel-channel",
                                                             .extended_key_usage = {"clientAuth"},
                                                             .subject_alt_name = "IP:127.0.0.1"});
  ASSERT_TRUE(client_purpose);
  options_.cert_file = client_purpose->cert_file;
  options_.key_file = client_purpose->key_file;
  start();
  auto connection = agent::ChannelConnection::open(endpoint(client_cert("agent-careful")));
  ASSERT_FALSE(connection);
  EXPECT_NE(connection.error().message.find("purpose"), std::string::npos)
      << connection.error().message;
  EXPECT_EQ(handler_.opens(), 0u);
}

TEST_F(ChannelTest, TheListenerRefusesAServerCertificateFromAnotherCa) {
  TempDir other_dir("sentinel-other-ca");
  auto other = TestPki::create(other_dir.path(), "Somebody Else's CA");
  ASSERT_TRUE(other);
  auto foreign = other->server_certificate();
  ASSERT_TRUE(foreign);
  options_.cert_file = foreign->cert_file;
  options_.key_file = foreign->key_file;
  auto listener = gateway::AgentChannelListener::create(options_, handler_, metrics_);
  ASSERT_FALSE(listener);
  EXPECT_EQ(listener.error().field, "cert_file");
}

TEST_F(ChannelTest, OtherPathsGet404) {
  start();
  const IssuedCertificate cert = client_cert("agent-lost");
  auto client = RawTlsClient::connect(port_, pki_->ca_file(), cert.cert_file, cert.key_file);
  ASSERT_TRUE(client);
  const std::string response = client->upgrade("/agent/v2/channel");
  EXPECT_EQ(response.rfind("HTTP/1.1 404", 0), 0u) << response;
  EXPECT_TRUE(client->read_until_closed(5s).has_value()) << "the connection stays open";
  EXPECT_EQ(handler_.opens(), 0u);
}

}  // namespace
}  // namespace sentinel::test
