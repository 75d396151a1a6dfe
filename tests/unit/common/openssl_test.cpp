// The shared OpenSSL helpers: the error queue as text, PEM in and out, the identifiers of a
// certificate (checked against what the openssl command line prints for a fixed certificate),
// serials, extensions and PEM files.

#include "sentinel/common/openssl.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "tests/support/temp_dir.h"

namespace sentinel::ssl {
namespace {

namespace fs = std::filesystem;

const fs::path kFixedCertificate =
    fs::path(SENTINEL_TEST_DATA) / "certificates" / "rsa2048_self_signed.pem";

CertPtr fixed_certificate() {
  auto pem = read_pem_file(kFixedCertificate);
  if (!pem) {
    ADD_FAILURE() << pem.error().message;
    return nullptr;
  }
  auto cert = parse_certificate(*pem);
  if (!cert) {
    ADD_FAILURE() << cert.error().message;
    return nullptr;
  }
  return std::move(*cert);
}

// A self-signed P-256 certificate made with the helpers under test.
CertPtr self_signed(EVP_PKEY* key) {
  CertPtr cert(X509_new());
  EXPECT_EQ(X509_set_version(cert.get(), 2), 1);
  EXPECT_EQ(X509_set_pubkey(cert.get(), key), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("openssl-test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  const Status serial = set_random_serial(cert.get());
  EXPECT_TRUE(serial) << serial.error().message;
  const Status extension =
      add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  EXPECT_TRUE(extension) << extension.error().message;
  EXPECT_GT(X509_sign(cert.get(), key, EVP_sha256()), 0);
  return cert;
}

mode_t mode_of(const fs::path& path) {
  struct stat info {};
  ::stat(path.c_str(), &info);
  return info.st_mode & 0777;
}

TEST(OpensslTest, ErrorTextNamesTheFailingCallsReasonAndEmptiesTheQueue) {
  ERR_clear_error();
  const std::string garbage = "this is not PEM";
  BioPtr in = read_bio(garbage);
  CertPtr cert(PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr));
  ASSERT_EQ(cert, nullptr);
  ASSERT_NE(ERR_peek_error(), 0u) << "the failed call queued no error";
  const std::string message = openssl_error();
  EXPECT_NE(message.find("no start line"), std::string::npos) << message;
  EXPECT_EQ(ERR_peek_error(), 0u) << "the queue still holds errors";
  EXPECT_EQ(openssl_error(), "unknown OpenSSL error");
}

TEST(OpensslTest, AFailedExtensionSaysWhichOneAndWhy) {
  KeyPtr key(EVP_EC_gen("P-256"));
  ASSERT_TRUE(key);
  CertPtr cert(X509_new());
  const Status added = add_extension(cert.get(), cert.get(), NID_basic_constraints, "CA:MAYBE");
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code, ErrorCode::kInternal);
  EXPECT_NE(added.error().message.find("basicConstraints=CA:MAYBE"), std::string::npos)
      << added.error().message;
  EXPECT_NE(added.error().message.find("invalid boolean"), std::string::npos)
      << added.error().message;
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(OpensslTest, IdentifiersOfAFixedCertificateMatchTheOpensslCommandLine) {
  // Expected values printed by `openssl x509 -in FILE -pubkey -noout | openssl pkey -pubin
  // -outform DER | sha256sum` and `openssl x509 -in FILE -noout -fingerprint -sha256 -serial
  // -dates`.
  CertPtr cert = fixed_certificate();
  ASSERT_TRUE(cert);
  EXPECT_EQ(public_key_pin(cert.get()),
            "a831e7a876da9b8c10414602a6a83f610f5d0cf9a7b06fecda8abc29ab92ec49");
  EXPECT_EQ(fingerprint_sha256(cert.get()),
            "3c581cf0f6c6595f68398fa80ed95e9d2d0b8f511e5772ac0a9d890bedab65ae");
  EXPECT_EQ(serial_hex(cert.get()), "ab0123456789cdef");
  EXPECT_EQ(time_ms(X509_get0_notBefore(cert.get())), 1795644415000);  // Nov 25 22:06:55 2026
  EXPECT_EQ(time_ms(X509_get0_notAfter(cert.get())), 4949244415000);   // Nov  1 22:06:55 2126
  EXPECT_EQ(time_ms(nullptr), 0);
}

TEST(OpensslTest, SerialsLoseTheirLeadingZeros) {
  CertPtr cert(X509_new());
  ASSERT_EQ(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 0x0abc), 1);
  EXPECT_EQ(serial_hex(cert.get()), "abc");
  ASSERT_EQ(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 0), 1);
  EXPECT_EQ(serial_hex(cert.get()), "0");
}

TEST(OpensslTest, RandomSerialsArePositiveAndDiffer) {
  std::set<std::string> serials;
  for (int i = 0; i < 20; ++i) {
    CertPtr cert(X509_new());
    ASSERT_TRUE(set_random_serial(cert.get()));
    const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get());
    EXPECT_NE(ASN1_STRING_type(serial), V_ASN1_NEG_INTEGER);
    const std::string hex = serial_hex(cert.get());
    EXPECT_LE(hex.size(), 32u);
    EXPECT_NE(hex, "0");
    serials.insert(hex);
  }
  EXPECT_EQ(serials.size(), 20u);
}

TEST(OpensslTest, PemTextRoundTrips) {
  KeyPtr key(EVP_EC_gen("P-256"));
  ASSERT_TRUE(key);
  CertPtr cert = self_signed(key.get());

  const std::string cert_pem = certificate_pem(cert.get());
  EXPECT_EQ(cert_pem.rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u) << cert_pem;
  auto parsed = parse_certificate(cert_pem);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(fingerprint_sha256(parsed->get()), fingerprint_sha256(cert.get()));
  EXPECT_EQ(X509_self_signed(parsed->get(), 1), 1);

  const std::string key_pem = private_key_pem(key.get());
  EXPECT_EQ(key_pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  BioPtr key_in = read_bio(key_pem);
  KeyPtr key_back(PEM_read_bio_PrivateKey(key_in.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(key_back);
  EXPECT_EQ(EVP_PKEY_eq(key_back.get(), key.get()), 1);

  RequestPtr request(X509_REQ_new());
  ASSERT_EQ(X509_REQ_set_pubkey(request.get(), key.get()), 1);
  ASSERT_GT(X509_REQ_sign(request.get(), key.get(), EVP_sha256()), 0);
  const std::string request_text = request_pem(request.get());
  BioPtr request_in = read_bio(request_text);
  RequestPtr request_back(PEM_read_bio_X509_REQ(request_in.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(request_back) << request_text;
  EXPECT_EQ(X509_REQ_verify(request_back.get(), key.get()), 1);
}

TEST(OpensslTest, TextWithoutACertificateIsRefusedAndLeavesNoError) {
  for (const std::string_view text :
       {"", "not a certificate",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}) {
    auto cert = parse_certificate(text);
    ASSERT_FALSE(cert) << text;
    EXPECT_EQ(cert.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(ERR_peek_error(), 0u) << text;
  }
}

TEST(OpensslTest, PemFilesAreWrittenWholeWithTheirMode) {
  test::TempDir dir{"sentinel-openssl-test"};
  const fs::path key_file = dir.path() / "server.key";
  const std::string text = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  ASSERT_TRUE(write_pem_file(key_file, "old text", 0600));
  const Status written = write_pem_file(key_file, text, 0600);
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(mode_of(key_file), 0600u);
  EXPECT_FALSE(fs::exists(key_file.string() + ".tmp"));
  auto back = read_pem_file(key_file);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, text);

  const Status empty = write_pem_file(key_file, "", 0600);
  EXPECT_FALSE(empty);
  EXPECT_EQ(*read_pem_file(key_file), text) << "an empty text replaced the file";

  auto missing = read_pem_file(dir.path() / "missing.pem");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kUnavailable);

  const fs::path huge = dir.path() / "huge.pem";
  std::ofstream(huge) << std::string((1 << 20) + 1, 'A');
  auto too_large = read_pem_file(huge);
  ASSERT_FALSE(too_large);
  EXPECT_EQ(too_large.error().code, ErrorCode::kInvalidArgument);

  const Status unwritable = write_pem_file(dir.path() / "no-such-dir" / "x.pem", text, 0600);
  ASSERT_FALSE(unwritable);
  EXPECT_NE(unwritable.error().message.find("no-such-dir"), std::string::npos);
}

TEST(OpensslTest, BioTextIsWhatWasWritten) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(bio_text(bio.get()), "");
  ASSERT_EQ(BIO_write(bio.get(), "abc\0def", 7), 7);
  EXPECT_EQ(bio_text(bio.get()), std::string("abc\0def", 7));
  EXPECT_EQ(bio_text(nullptr), "");
}

}  // namespace
}  // namespace sentinel::ssl
