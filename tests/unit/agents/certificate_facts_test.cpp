// What the settings API says about a certificate: checked against values the openssl command
// line printed for a fixed certificate (tests/data/certificates), against certificates made by
// the test PKI, and against the agent CA.

#include "src/agents/certificate_facts.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sentinel/agents/certificate_authority.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace sentinel::agents {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(CertificateFactsTest, MatchWhatOpensslPrintsForAFixedRsaCertificate) {
  // Made by `openssl req -x509 -newkey rsa:2048 -days 36500 -set_serial 0x00ab0123456789cdef
  // -subj "/O=Example Org/CN=rsa.example.test"`; the expected values are openssl's output
  // (x509 -subject -issuer -serial -dates -fingerprint -sha256 -nameopt RFC2253, and the
  // SHA-256 of `x509 -pubkey | pkey -pubin -outform DER`).
  const std::string pem =
      read_text(std::string(SENTINEL_TEST_DATA) + "/certificates/rsa2048_self_signed.pem");
  ASSERT_FALSE(pem.empty());
  auto facts = describe_certificate(pem);
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_EQ(facts->subject, "CN=rsa.example.test,O=Example Org");
  EXPECT_EQ(facts->issuer, "CN=rsa.example.test,O=Example Org");
  EXPECT_EQ(facts->serial_hex, "ab0123456789cdef");
  EXPECT_EQ(facts->not_before_ms, 1795644415000);  // Nov 25 22:06:55 2026 GMT
  EXPECT_EQ(facts->not_after_ms, 4949244415000);   // Nov  1 22:06:55 2126 GMT
  EXPECT_EQ(facts->sha256_fingerprint,
            "3C:58:1C:F0:F6:C6:59:5F:68:39:8F:A8:0E:D9:5E:9D:2D:0B:8F:51:1E:57:72:AC:0A:9D:89:0B:"
            "ED:AB:65:AE");
  EXPECT_EQ(facts->public_key_sha256,
            "a831e7a876da9b8c10414602a6a83f610f5d0cf9a7b06fecda8abc29ab92ec49");
  EXPECT_EQ(facts->key_type, "RSA 2048");
  EXPECT_TRUE(facts->self_signed);
}

TEST(CertificateFactsTest, AnIssuedCertificateIsNotSelfSignedEvenUnderItsIssuersName) {
  test::TempDir dir{"sentinel-certificate-facts"};
  auto pki = test::TestPki::create(dir.path(), "Facts Test CA");
  ASSERT_TRUE(pki) << pki.error().message;
  auto ca = describe_certificate(read_text(pki->ca_file()));
  ASSERT_TRUE(ca) << ca.error().message;
  EXPECT_TRUE(ca->self_signed);
  EXPECT_EQ(ca->subject, ca->issuer);
  EXPECT_EQ(ca->key_type, "EC P-256");

  auto server = pki->server_certificate();
  ASSERT_TRUE(server) << server.error().message;
  auto facts = describe_certificate(read_text(server->cert_file));
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_FALSE(facts->self_signed);
  EXPECT_EQ(facts->issuer, ca->subject);
  EXPECT_NE(facts->subject, ca->subject);
  EXPECT_EQ(facts->serial_hex, server->serial_hex);
  EXPECT_EQ(facts->sha256_fingerprint, colon_hex(server->fingerprint_sha256));
  // TestPki backdates notBefore by an hour and sets notAfter 30 days ahead (two clock reads).
  EXPECT_NEAR(static_cast<double>(facts->not_after_ms - facts->not_before_ms),
              (30.0 * 24 + 1) * 3600 * 1000, 2000.0);

  // Same subject as its issuer, but signed by the issuer's key, not its own.
  auto imposter = pki->issue("imposter", {.common_name = "Facts Test CA"});
  ASSERT_TRUE(imposter) << imposter.error().message;
  auto imposter_facts = describe_certificate(read_text(imposter->cert_file));
  ASSERT_TRUE(imposter_facts) << imposter_facts.error().message;
  EXPECT_EQ(imposter_facts->subject, imposter_facts->issuer);
  EXPECT_FALSE(imposter_facts->self_signed);
}

TEST(CertificateFactsTest, TheAgentCaIsASelfSignedP256Authority) {
  test::TempDir dir{"sentinel-certificate-facts-ca"};
  ManualClock clock{SystemClock().now_ms()};
  auto ca = CertificateAuthority::open_or_create(dir.path() / "ca", clock);
  ASSERT_TRUE(ca) << ca.error().message;
  auto facts = describe_certificate((*ca)->ca_certificate_pem());
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_TRUE(facts->self_signed);
  EXPECT_EQ(facts->key_type, "EC P-256");
  EXPECT_EQ(facts->subject, facts->issuer);
  EXPECT_LE(facts->not_before_ms, clock.now_ms());
  EXPECT_GT(facts->not_after_ms, clock.now_ms() + 9LL * 365 * 24 * 3600 * 1000);
  EXPECT_EQ(facts->public_key_sha256.size(), 64u);
  EXPECT_EQ(facts->sha256_fingerprint.size(), 32u * 3 - 1);
}

TEST(CertificateFactsTest, TextWithoutACertificateIsRefused) {
  for (const std::string_view text :
       {"", "not a certificate",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}) {
    auto facts = describe_certificate(text);
    ASSERT_FALSE(facts) << text;
    EXPECT_EQ(facts.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(CertificateFactsTest, ColonHexIsUpperCasePairs) {
  EXPECT_EQ(colon_hex("0a1bff"), "0A:1B:FF");
  EXPECT_EQ(colon_hex(""), "");
}

}  // namespace
}  // namespace sentinel::agents
