// GET /api/v1/settings/certificates on a real server, checked against the openssl command line:
// the gateway fingerprint is that of the certificate a TLS client is actually served, the
// public key pin is the one enrolment tokens carry, and a user-supplied RSA certificate and a
// configured TLS 1.2 minimum are reported as such.

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "sentinel/common/clock.h"
#include "sentinel/common/time_format.h"
#include "tests/integration/api_fixture.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {
namespace {

std::string trimmed(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

/// What `openssl x509 ARGS` prints for the PEM certificate `pem`, after the '=' of its one line
/// ("sha256 Fingerprint=AB:..." -> "AB:...").
std::string openssl_x509_value(const std::string& pem, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"openssl", "x509", "-noout"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto out = run_command(argv, pem);
  EXPECT_TRUE(out && out->exit_code == 0) << (out ? out->err : out.error().message);
  if (!out) return {};
  const std::string line = trimmed(out->out);
  return line.substr(line.find('=') + 1);
}

std::string openssl_fingerprint(const std::string& pem) {
  return openssl_x509_value(pem, {"-fingerprint", "-sha256"});
}

/// The certificate (PEM) the server presents to `openssl s_client`.
std::string served_certificate(const std::string& url) {
  const std::string host_port = url.substr(std::string("https://").size());
  auto out = run_command({"openssl", "s_client", "-connect", host_port, "-servername", "localhost"},
                         "Q\n", {}, std::chrono::seconds(20));
  EXPECT_TRUE(out) << out.error().message;
  if (!out) return {};
  const std::size_t begin = out->out.find("-----BEGIN CERTIFICATE-----");
  const std::string end_marker = "-----END CERTIFICATE-----";
  const std::size_t end = out->out.find(end_marker, begin);
  EXPECT_NE(end, std::string::npos) << out->out << out->err;
  if (begin == std::string::npos || end == std::string::npos) return {};
  return out->out.substr(begin, end + end_marker.size() - begin) + "\n";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream content;
  content << in.rdbuf();
  EXPECT_TRUE(in) << path;
  return content.str();
}

std::string text(const boost::json::value& value, std::string_view key) {
  return std::string(value.at(key).as_string());
}

class CertificateSettingsTest : public ApiTest {};

TEST_P(CertificateSettingsTest, DescribesTheServedCertificateAndTheAgentCa) {
  client::ApiClient root = admin();
  auto reply = root.get("/api/v1/settings/certificates");
  ASSERT_TRUE(reply) << reply.error().message;
  ASSERT_EQ(reply->status, 200) << reply->body;
  const boost::json::value body = body_of(*reply);
  const boost::json::value& gateway = body.at("gateway");
  const boost::json::value& agent_ca = body.at("agent_ca");
  EXPECT_EQ(text(body, "tls_min_version"), "1.3");

  const std::string served = served_certificate(server_->url());
  ASSERT_FALSE(served.empty());
  EXPECT_EQ(text(gateway, "sha256_fingerprint"), openssl_fingerprint(served));
  EXPECT_EQ(text(gateway, "sha256_fingerprint"),
            openssl_fingerprint(read_text(server_->ca_file())));
  std::string serial = openssl_x509_value(served, {"-serial"});
  for (char& c : serial) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(text(gateway, "serial"), serial.substr(serial.find_first_not_of('0')));
  EXPECT_EQ(text(gateway, "subject"), "CN=localhost,O=SentinelSecure");
  EXPECT_EQ(text(gateway, "issuer"), "CN=localhost,O=SentinelSecure");
  EXPECT_EQ(text(gateway, "key_type"), "EC P-256");
  EXPECT_TRUE(gateway.at("self_signed").as_bool());
  const std::string now = iso8601_utc(SystemClock().now_ms());
  EXPECT_LT(text(gateway, "not_before"), now);  // same ISO format: text order is time order
  EXPECT_GT(text(gateway, "not_after"), now);

  // The pin is the one an enrolment token carries after its last '.'.
  auto token = root.post("/api/v1/agents/enroll-tokens", boost::json::object{});
  ASSERT_TRUE(token);
  ASSERT_EQ(token->status, 201) << token->body;
  const std::string token_text = text(body_of(*token), "token");
  EXPECT_EQ(text(gateway, "public_key_sha256"), token_text.substr(token_text.rfind('.') + 1));

  const std::string ca_pem = read_text(server_->data_dir() + "/ca/ca.crt");
  EXPECT_EQ(text(agent_ca, "sha256_fingerprint"), openssl_fingerprint(ca_pem));
  EXPECT_EQ(text(agent_ca, "subject"), text(agent_ca, "issuer"));
  EXPECT_EQ(text(agent_ca, "key_type"), "EC P-256");
  EXPECT_TRUE(agent_ca.at("self_signed").as_bool());
  EXPECT_NE(text(agent_ca, "public_key_sha256"), text(gateway, "public_key_sha256"));
  EXPECT_GT(text(agent_ca, "not_after"), text(gateway, "not_after"));  // ten years, not one
}

TEST_P(CertificateSettingsTest, OnlyRolesWithSettingsReadSeeIt) {
  client::ApiClient root = admin();
  const std::string password = "Certificate-Viewer-Password-8812";
  create_user(root, "cert-viewer", password, "viewer");
  create_user(root, "cert-analyst", password, "analyst");
  client::ApiClient viewer = anonymous();
  ASSERT_EQ(login(viewer, "cert-viewer", password).status, 200);
  auto refused = viewer.get("/api/v1/settings/certificates");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403) << refused->body;
  EXPECT_EQ(error_code(*refused), "permission_denied");
  client::ApiClient analyst = anonymous();
  ASSERT_EQ(login(analyst, "cert-analyst", password).status, 200);
  EXPECT_EQ(analyst.get("/api/v1/settings/certificates")->status, 200);
  EXPECT_EQ(anonymous().get("/api/v1/settings/certificates")->status, 401);
}

TEST_P(CertificateSettingsTest, ReportsAUserSuppliedRsaCertificateAndTheConfiguredMinimum) {
  TempDir dir;
  const std::string cert = (dir.path() / "rsa.crt").string();
  const std::string key = (dir.path() / "rsa.key").string();
  auto made = run_command({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3",
                           "-keyout", key, "-out", cert, "-subj", "/CN=sentinel-rsa-settings-test",
                           "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"});
  ASSERT_TRUE(made && made->exit_code == 0) << (made ? made->err : made.error().message);
  ASSERT_TRUE(server_->stop());
  start_server({"--tls-cert", cert, "--tls-key", key, "--set", "gateway.tls.min_version=1.2"});

  client::ClientOptions options;
  options.base_url = server_->url();
  options.ca_file = cert;
  auto api = client::ApiClient::create(options);
  ASSERT_TRUE(api) << api.error().message;
  ASSERT_EQ(login(*api, "admin", kAdminPassword).status, 200);
  auto reply = api->get("/api/v1/settings/certificates");
  ASSERT_TRUE(reply) << reply.error().message;
  ASSERT_EQ(reply->status, 200) << reply->body;
  const boost::json::value body = body_of(*reply);
  EXPECT_EQ(text(body, "tls_min_version"), "1.2");
  const boost::json::value& gateway = body.at("gateway");
  EXPECT_EQ(text(gateway, "subject"), "CN=sentinel-rsa-settings-test");
  EXPECT_EQ(text(gateway, "key_type"), "RSA 2048");
  EXPECT_TRUE(gateway.at("self_signed").as_bool());
  EXPECT_EQ(text(gateway, "sha256_fingerprint"), openssl_fingerprint(read_text(cert)));
  EXPECT_EQ(text(gateway, "sha256_fingerprint"),
            openssl_fingerprint(served_certificate(server_->url())));
}

SENTINEL_BOTH_BACKENDS(CertificateSettingsTest);

}  // namespace
}  // namespace sentinel::test
