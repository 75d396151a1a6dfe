// Certificate facts for scan reports, read from certificates made here.

#include "src/scan/tls_facts.h"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/ssl.h>

#include <chrono>

#include "sentinel/common/openssl.h"

namespace sentinel::scan {
namespace {

ssl::KeyPtr make_key(int type, int bits_or_curve) {
  ssl::KeyContextPtr context(EVP_PKEY_CTX_new_id(type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!context || EVP_PKEY_keygen_init(context.get()) <= 0) return nullptr;
  if (type == EVP_PKEY_RSA) EVP_PKEY_CTX_set_rsa_keygen_bits(context.get(), bits_or_curve);
  if (type == EVP_PKEY_EC) EVP_PKEY_CTX_set_ec_paramgen_curve_nid(context.get(), bits_or_curve);
  if (EVP_PKEY_keygen(context.get(), &key) <= 0) return nullptr;
  return ssl::KeyPtr(key);
}

void add_name(X509_NAME* name, const char* field, const char* value) {
  X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(value), -1, -1, 0);
}

// A certificate for `key` with subject O=Example, CN=`common_name`, signed by `issuer_key` under
// `issuer_name` (itself when null), valid from now for `days`.
ssl::CertPtr make_cert(EVP_PKEY* key, const char* common_name, EVP_PKEY* issuer_key, X509* issuer,
                       const std::string& alt_names, int days) {
  ssl::CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  EXPECT_TRUE(ssl::set_random_serial(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400);
  X509_NAME* name = X509_get_subject_name(cert.get());
  add_name(name, "O", "Example");
  add_name(name, "CN", common_name);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(cert.get(), key);
  if (!alt_names.empty()) {
    EXPECT_TRUE(ssl::add_extension(cert.get(), issuer ? issuer : cert.get(), NID_subject_alt_name,
                                   alt_names));
  }
  EXPECT_GT(X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()), 0);
  return cert;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(TlsFacts, SelfSignedEcCertificate) {
  const auto key = make_key(EVP_PKEY_EC, NID_X9_62_prime256v1);
  ASSERT_TRUE(key);
  const std::int64_t before = now_ms();
  const auto cert =
      make_cert(key.get(), "www.example.test", nullptr, nullptr,
                "DNS:www.example.test,DNS:example.test,IP:192.0.2.7,IP:2001:db8::1", 30);
  const TlsFacts facts = certificate_facts(cert.get());
  EXPECT_EQ(facts.subject, "CN=www.example.test,O=Example");
  EXPECT_EQ(facts.issuer, facts.subject);
  EXPECT_TRUE(facts.self_signed);
  EXPECT_EQ(facts.key_type, "EC");
  EXPECT_EQ(facts.key_bits, 256);
  EXPECT_EQ(facts.subject_alt_names,
            (std::vector<std::string>{"DNS:www.example.test", "DNS:example.test", "IP:192.0.2.7",
                                      "IP:2001:db8::1"}));
  // ASN.1 times have whole seconds.
  EXPECT_LE(facts.not_before_ms, now_ms());
  EXPECT_GE(facts.not_before_ms, before - 1000);
  EXPECT_EQ(facts.not_after_ms - facts.not_before_ms, 30LL * 86400 * 1000);
  EXPECT_EQ(facts.fingerprint_sha256, ssl::fingerprint_sha256(cert.get()));
  EXPECT_EQ(facts.fingerprint_sha256.size(), 64u);
  EXPECT_TRUE(facts.versions_tested.empty());
}

TEST(TlsFacts, CertificateIssuedByACaIsNotSelfSigned) {
  const auto ca_key = make_key(EVP_PKEY_EC, NID_X9_62_prime256v1);
  const auto key = make_key(EVP_PKEY_RSA, 2048);
  ASSERT_TRUE(ca_key && key);
  const auto ca = make_cert(ca_key.get(), "Example CA", nullptr, nullptr, "", 365);
  const auto cert = make_cert(key.get(), "mail.example.test", ca_key.get(), ca.get(), "", 90);
  const TlsFacts facts = certificate_facts(cert.get());
  EXPECT_EQ(facts.subject, "CN=mail.example.test,O=Example");
  EXPECT_EQ(facts.issuer, "CN=Example CA,O=Example");
  EXPECT_FALSE(facts.self_signed);
  EXPECT_EQ(facts.key_type, "RSA");
  EXPECT_EQ(facts.key_bits, 2048);
  EXPECT_TRUE(facts.subject_alt_names.empty());
}

TEST(TlsFacts, SameNamesButForeignSignatureIsNotSelfSigned) {
  // Issuer and subject agree, but another key signed it: a forgery of a self-signed look.
  const auto key = make_key(EVP_PKEY_EC, NID_X9_62_prime256v1);
  const auto other = make_key(EVP_PKEY_EC, NID_X9_62_prime256v1);
  const auto cert = make_cert(key.get(), "host.test", other.get(), nullptr, "", 1);
  EXPECT_FALSE(certificate_facts(cert.get()).self_signed);
}

TEST(TlsFacts, NullCertificateGivesEmptyFacts) {
  const TlsFacts facts = certificate_facts(nullptr);
  EXPECT_TRUE(facts.subject.empty());
  EXPECT_EQ(facts.key_bits, 0);
}

TEST(TlsFacts, VersionNames) {
  EXPECT_EQ(tls_version_name(TLS1_VERSION), "TLSv1");
  EXPECT_EQ(tls_version_name(TLS1_1_VERSION), "TLSv1.1");
  EXPECT_EQ(tls_version_name(TLS1_2_VERSION), "TLSv1.2");
  EXPECT_EQ(tls_version_name(TLS1_3_VERSION), "TLSv1.3");
}

}  // namespace
}  // namespace sentinel::scan
