// The agent CA: what it signs must verify for client authentication only, say what the CA says
// (never what the request asked for), and weak or broken requests are refused.

#include "sentinel/agents/certificate_authority.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "tests/support/temp_dir.h"
#include "tests/unit/agents/csr_support.h"

namespace sentinel::agents {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::seconds kDay{24 * 3600};

mode_t mode_of(const fs::path& path) {
  struct stat info {};
  ::stat(path.c_str(), &info);
  return info.st_mode & 0777;
}

std::string subject_entry(X509* cert, int nid) {
  char text[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), nid, text, sizeof text);
  return text;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class CertificateAuthorityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = CertificateAuthority::open_or_create(dir_.path() / "ca", clock_);
    ASSERT_TRUE(ca) << ca.error().message;
    ca_ = std::move(*ca);
  }

  Result<IssuedCertificate> sign(const std::string& csr) {
    return ca_->sign_agent_csr(csr, "agt_test0001", kDay);
  }

  sentinel::test::TempDir dir_{"sentinel-ca"};
  // Real time: X509_verify_cert checks validity against the system clock.
  ManualClock clock_{SystemClock().now_ms()};
  std::unique_ptr<CertificateAuthority> ca_;
};

TEST_F(CertificateAuthorityTest, CreatesPrivateFilesAndReloadsTheSameCa) {
  const fs::path dir = dir_.path() / "ca";
  EXPECT_EQ(mode_of(dir), 0700u);
  EXPECT_EQ(mode_of(dir / "ca.key"), 0600u);
  EXPECT_EQ(ca_->ca_file(), (dir / "ca.crt").string());
  auto cert = ssl::parse_certificate(ca_->ca_certificate_pem());
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_ca(cert->get()), 1);
  EXPECT_EQ(subject_entry(cert->get(), NID_commonName).rfind("SentinelSecure Agent CA ", 0), 0u);
  EXPECT_GT(ssl::time_ms(X509_get0_notAfter(cert->get())),
            clock_.now_ms() + 3649LL * 24 * 3600 * 1000);

  auto again = CertificateAuthority::open_or_create(dir, clock_);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ((*again)->ca_certificate_pem(), ca_->ca_certificate_pem());
}

TEST_F(CertificateAuthorityTest, SignedCertificateVerifiesForClientAuthOnly) {
  auto key = test::make_key("P-256");
  auto issued = sign(test::make_csr(key.get(), "agt_test0001"));
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_EQ(
      test::verify(issued->certificate_pem, ca_->ca_certificate_pem(), X509_PURPOSE_SSL_CLIENT),
      "ok");
  EXPECT_NE(
      test::verify(issued->certificate_pem, ca_->ca_certificate_pem(), X509_PURPOSE_SSL_SERVER),
      "ok");

  auto cert = ssl::parse_certificate(issued->certificate_pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(issued->serial_hex, ssl::serial_hex(cert->get()));
  EXPECT_EQ(issued->fingerprint_sha256, ssl::fingerprint_sha256(cert->get()));
  EXPECT_GE(issued->serial_hex.size(), 20u);  // 127 random bits, leading zeros dropped
  EXPECT_LE(issued->serial_hex.size(), 32u);
  EXPECT_EQ(issued->serial_hex.find_first_not_of("0123456789abcdef"), std::string::npos);
  const std::int64_t now_s = clock_.now_s();
  EXPECT_EQ(issued->not_after_ms, (now_s + kDay.count()) * 1000);
  EXPECT_EQ(ssl::time_ms(X509_get0_notAfter(cert->get())), issued->not_after_ms);
  EXPECT_EQ(ssl::time_ms(X509_get0_notBefore(cert->get())), (now_s - 300) * 1000);
  ssl::KeyPtr certified(X509_get_pubkey(cert->get()));
  EXPECT_EQ(EVP_PKEY_eq(certified.get(), key.get()), 1);
}

TEST_F(CertificateAuthorityTest, RequestedSubjectAndExtensionsAreIgnored) {
  auto key = test::make_key("P-256");
  auto issued = sign(test::make_csr(key.get(), "admin", /*hostile_extensions=*/true));
  ASSERT_TRUE(issued) << issued.error().message;
  auto cert = ssl::parse_certificate(issued->certificate_pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(subject_entry(cert->get(), NID_commonName), "agt_test0001");
  EXPECT_EQ(subject_entry(cert->get(), NID_organizationName), "SentinelSecure agents");
  EXPECT_EQ(X509_check_ca(cert->get()), 0);
  EXPECT_EQ(X509_get_ext_by_NID(cert->get(), NID_subject_alt_name, -1), -1);
  EXPECT_EQ(X509_get_extended_key_usage(cert->get()), static_cast<std::uint32_t>(XKU_SSL_CLIENT));
  EXPECT_EQ(X509_get_key_usage(cert->get()), static_cast<std::uint32_t>(KU_DIGITAL_SIGNATURE));
}

TEST_F(CertificateAuthorityTest, AcceptsTheStrongKeyTypes) {
  for (const char* kind : {"P-256", "P-384", "ed25519", "rsa2048"}) {
    auto key = test::make_key(kind);
    ASSERT_TRUE(key) << kind;
    auto issued = sign(test::make_csr(key.get(), "x"));
    ASSERT_TRUE(issued) << kind << ": " << issued.error().message;
    EXPECT_EQ(
        test::verify(issued->certificate_pem, ca_->ca_certificate_pem(), X509_PURPOSE_SSL_CLIENT),
        "ok")
        << kind;
  }
}

TEST_F(CertificateAuthorityTest, RefusesWeakKeysAndBrokenRequests) {
  auto weak_rsa = test::make_key("rsa1024");
  auto odd_curve = test::make_key("secp256k1");
  auto good = test::make_key("P-256");
  const auto ca_cert = ca_->ca_certificate_pem();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {test::make_csr(weak_rsa.get(), "x"), "1024 bits"},
      {test::make_csr(odd_curve.get(), "x"), "secp256k1"},
      {test::tampered_csr(good.get()), "signature"},
      {"", "empty"},
      {"hello", "not a PEM certificate request"},
      {ca_cert, "not a PEM certificate request"},  // a certificate is not a request
      {std::string(20000, 'A'), "larger than"},
  };
  for (const auto& [csr, expected] : cases) {
    auto issued = sign(csr);
    ASSERT_FALSE(issued) << expected;
    EXPECT_EQ(issued.error().code, ErrorCode::kInvalidArgument) << expected;
    EXPECT_EQ(issued.error().field, "csr") << expected;
    EXPECT_NE(issued.error().message.find(expected), std::string::npos) << issued.error().message;
  }
}

TEST_F(CertificateAuthorityTest, RefusesAnIncompleteOrExposedCa) {
  const fs::path dir = dir_.path() / "ca";
  ::chmod((dir / "ca.key").c_str(), 0644);
  auto exposed = CertificateAuthority::open_or_create(dir, clock_);
  ASSERT_FALSE(exposed);
  EXPECT_NE(exposed.error().message.find("chmod 600"), std::string::npos);

  ::chmod((dir / "ca.key").c_str(), 0600);
  fs::remove(dir / "ca.crt");
  auto incomplete = CertificateAuthority::open_or_create(dir, clock_);
  ASSERT_FALSE(incomplete);
  EXPECT_NE(incomplete.error().message.find("incomplete"), std::string::npos);
}

TEST_F(CertificateAuthorityTest, ChannelCertificateServesTheNamesForServerAuthOnly) {
  auto files = ca_->ensure_channel_certificate({"sentinel.example", "10.1.2.3", "[fd00::7]"});
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(mode_of(files->key_file), 0600u);
  const std::string pem = read_text(files->cert_file);
  EXPECT_EQ(test::verify(pem, ca_->ca_certificate_pem(), X509_PURPOSE_SSL_SERVER), "ok");
  EXPECT_NE(test::verify(pem, ca_->ca_certificate_pem(), X509_PURPOSE_SSL_CLIENT), "ok");
  auto cert = ssl::parse_certificate(pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_get_extended_key_usage(cert->get()), static_cast<std::uint32_t>(XKU_SSL_SERVER));
  for (const char* host : {"sentinel.example", "localhost"}) {
    EXPECT_EQ(X509_check_host(cert->get(), host, 0, 0, nullptr), 1) << host;
  }
  for (const char* address : {"10.1.2.3", "127.0.0.1", "::1", "fd00::7"}) {
    EXPECT_EQ(X509_check_ip_asc(cert->get(), address, 0), 1) << address;
  }
  EXPECT_EQ(X509_check_host(cert->get(), "other.example", 0, 0, nullptr), 0);
  const std::string key_pem = read_text(files->key_file);
  ssl::BioPtr key_bio = ssl::read_bio(key_pem);
  ssl::KeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  EXPECT_EQ(X509_check_private_key(cert->get(), key.get()), 1);
}

TEST_F(CertificateAuthorityTest, ChannelCertificateIsRenewedOnlyWhenNeeded) {
  auto first = ca_->ensure_channel_certificate({"a.example"});
  ASSERT_TRUE(first);
  const std::string original = read_text(first->cert_file);
  ASSERT_TRUE(ca_->ensure_channel_certificate({"a.example"}));
  EXPECT_EQ(read_text(first->cert_file), original) << "same names: kept";

  ASSERT_TRUE(ca_->ensure_channel_certificate({"b.example"}));
  const std::string renamed = read_text(first->cert_file);
  EXPECT_NE(renamed, original) << "names changed: regenerated";

  clock_.advance_ms(336LL * 24 * 3600 * 1000);  // 29 days before its end
  ASSERT_TRUE(ca_->ensure_channel_certificate({"b.example"}));
  EXPECT_NE(read_text(first->cert_file), renamed) << "expiring soon: regenerated";

  EXPECT_FALSE(ca_->ensure_channel_certificate({"bad name,DNS:evil"}));
}

}  // namespace
}  // namespace sentinel::agents
