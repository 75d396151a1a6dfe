// TLS: 1.3 only by default, a user-supplied certificate is served.

#include <gtest/gtest.h>

#include "tests/integration/api_fixture.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {
namespace {

std::string host_port(const std::string& url) { return url.substr(std::string("https://").size()); }

CommandOutput s_client(const std::string& url, const std::string& version_flag) {
  auto out = run_command(
      {"openssl", "s_client", "-connect", host_port(url), version_flag, "-servername", "localhost"},
      "Q\n", {}, std::chrono::seconds(20));
  EXPECT_TRUE(out) << out.error().message;
  return out ? *out : CommandOutput{};
}

class TlsTest : public ApiTest {};

TEST_P(TlsTest, Tls12HandshakeIsRefusedAndTls13Succeeds) {
  const CommandOutput tls12 = s_client(server_->url(), "-tls1_2");
  EXPECT_NE(tls12.exit_code, 0) << tls12.out;
  EXPECT_EQ(tls12.out.find("TLSv1.2, Cipher is"), std::string::npos) << tls12.out;

  const CommandOutput tls13 = s_client(server_->url(), "-tls1_3");
  EXPECT_EQ(tls13.exit_code, 0) << tls13.err;
  EXPECT_NE(tls13.out.find("TLSv1.3"), std::string::npos) << tls13.out;

  // Our own client, forced to TLS 1.2, is refused as well.
  client::ClientOptions options;
  options.base_url = server_->url();
  options.ca_file = server_->ca_file();
  options.min_tls_version = client::TlsVersion::kTls12;
  options.max_tls_version = client::TlsVersion::kTls12;
  auto api = client::ApiClient::create(options);
  ASSERT_TRUE(api);
  auto reply = api->get("/healthz");
  EXPECT_FALSE(reply);
}

TEST_P(TlsTest, UserSuppliedCertificateIsServed) {
  TempDir dir;
  const std::string cert = (dir.path() / "custom.crt").string();
  const std::string key = (dir.path() / "custom.key").string();
  auto made = run_command({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-keyout", key,
                           "-out", cert, "-subj", "/CN=sentinel-custom-cert-test", "-addext",
                           "subjectAltName=IP:127.0.0.1,DNS:localhost"});
  ASSERT_TRUE(made && made->exit_code == 0) << (made ? made->err : made.error().message);

  ASSERT_TRUE(server_->stop());
  start_server({"--tls-cert", cert, "--tls-key", key});
  const CommandOutput out = s_client(server_->url(), "-tls1_3");
  EXPECT_NE(out.out.find("sentinel-custom-cert-test"), std::string::npos) << out.out;

  client::ClientOptions options;
  options.base_url = server_->url();
  options.ca_file = cert;  // verification against the user's certificate succeeds
  auto api = client::ApiClient::create(options);
  ASSERT_TRUE(api);
  auto reply = api->get("/healthz");
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->status, 200);
}

SENTINEL_BOTH_BACKENDS(TlsTest);

}  // namespace
}  // namespace sentinel::test
