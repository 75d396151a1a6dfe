#include "tests/support/test_pki.h"

#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>

#include "sentinel/common/crypto.h"

namespace sentinel::test {
namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509_free>>;
using FilePtr = std::unique_ptr<FILE, Deleter<std::fclose>>;

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

bool add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (extension == nullptr) return false;
  const bool added = X509_add_ext(cert, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

bool set_common_name(X509_NAME* name, const std::string& common_name) {
  return X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                    reinterpret_cast<const unsigned char*>("SentinelSecure Tests"),
                                    -1, -1, 0) == 1 &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                    -1, 0) == 1;
}

// Fills everything but the extensions and the signature.
bool fill(X509* cert, EVP_PKEY* key, const std::string& common_name, int valid_days) {
  std::string serial = crypto::random_bytes(16);
  serial[0] = static_cast<char>(serial[0] & 0x7f);  // positive
  BIGNUM* serial_bn = BN_bin2bn(reinterpret_cast<const unsigned char*>(serial.data()),
                                static_cast<int>(serial.size()), nullptr);
  const bool filled =
      serial_bn != nullptr && X509_set_version(cert, 2) == 1 &&
      BN_to_ASN1_INTEGER(serial_bn, X509_get_serialNumber(cert)) != nullptr &&
      X509_gmtime_adj(X509_getm_notBefore(cert), -3600) != nullptr &&
      X509_gmtime_adj(X509_getm_notAfter(cert), 24L * 3600 * valid_days) != nullptr &&
      X509_set_pubkey(cert, key) == 1 && set_common_name(X509_get_subject_name(cert), common_name);
  BN_free(serial_bn);
  return filled;
}

Status write_pem(const std::filesystem::path& path, bool private_key, EVP_PKEY* key, X509* cert) {
  FilePtr file(std::fopen(path.c_str(), "w"));
  if (!file) return internal_error(fmt::format("cannot write {}", path.string()));
  const int written =
      private_key ? PEM_write_PrivateKey(file.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                  : PEM_write_X509(file.get(), cert);
  if (written != 1) return internal_error(fmt::format("cannot write {}", path.string()));
  if (private_key)
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return ok();
}

std::string serial_hex(X509* cert) {
  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  char* hex = BN_bn2hex(serial);
  std::string out(hex);
  OPENSSL_free(hex);
  BN_free(serial);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string fingerprint(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  X509_digest(cert, EVP_sha256(), digest, &length);
  return crypto::to_hex(std::string_view(reinterpret_cast<char*>(digest), length));
}

}  // namespace

struct TestPki::Impl {
  std::filesystem::path dir;
  std::string ca_file;
  KeyPtr key;
  CertPtr cert;
};

TestPki::TestPki(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TestPki::TestPki(TestPki&&) noexcept = default;
TestPki& TestPki::operator=(TestPki&&) noexcept = default;
TestPki::~TestPki() = default;

const std::string& TestPki::ca_file() const { return impl_->ca_file; }

Result<TestPki> TestPki::create(std::filesystem::path dir, std::string name) {
  auto impl = std::make_unique<Impl>();
  impl->dir = std::move(dir);
  impl->key.reset(EVP_EC_gen("P-256"));
  impl->cert.reset(X509_new());
  X509* cert = impl->cert.get();
  const bool built = impl->key && cert && fill(cert, impl->key.get(), name, 365) &&
                     X509_set_issuer_name(cert, X509_get_subject_name(cert)) == 1 &&
                     add_extension(cert, cert, NID_basic_constraints, "critical,CA:TRUE") &&
                     add_extension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign") &&
                     add_extension(cert, cert, NID_subject_key_identifier, "hash") &&
                     X509_sign(cert, impl->key.get(), EVP_sha256()) > 0;
  if (!built) return internal_error("cannot build the test CA: " + openssl_error());
  const auto path = impl->dir / "ca.crt";
  SENTINEL_TRY(write_pem(path, false, nullptr, cert));
  SENTINEL_TRY(write_pem(impl->dir / "ca.key", true, impl->key.get(), nullptr));
  impl->ca_file = path.string();
  return TestPki(std::move(impl));
}

Result<IssuedCertificate> TestPki::issue(const std::string& stem, const CertificateSpec& spec) {
  KeyPtr key(EVP_EC_gen("P-256"));
  CertPtr cert(X509_new());
  X509* ca = impl_->cert.get();
  std::string usages;
  for (const auto& usage : spec.extended_key_usage) {
    usages += (usages.empty() ? "" : ",") + usage;
  }
  bool built = key && cert && fill(cert.get(), key.get(), spec.common_name, spec.valid_days) &&
               X509_set_issuer_name(cert.get(), X509_get_subject_name(ca)) == 1 &&
               add_extension(cert.get(), ca, NID_basic_constraints, "critical,CA:FALSE") &&
               add_extension(cert.get(), ca, NID_key_usage, "critical,digitalSignature") &&
               add_extension(cert.get(), ca, NID_authority_key_identifier, "keyid:always");
  if (built && !usages.empty()) {
    built = add_extension(cert.get(), ca, NID_ext_key_usage, usages);
  }
  if (built && !spec.subject_alt_name.empty()) {
    built = add_extension(cert.get(), ca, NID_subject_alt_name, spec.subject_alt_name);
  }
  built = built && X509_sign(cert.get(), impl_->key.get(), EVP_sha256()) > 0;
  if (!built) {
    return internal_error(
        fmt::format("cannot issue the test certificate {}: {}", stem, openssl_error()));
  }
  IssuedCertificate issued;
  issued.cert_file = (impl_->dir / (stem + ".crt")).string();
  issued.key_file = (impl_->dir / (stem + ".key")).string();
  SENTINEL_TRY(write_pem(issued.cert_file, false, nullptr, cert.get()));
  SENTINEL_TRY(write_pem(issued.key_file, true, key.get(), nullptr));
  issued.common_name = spec.common_name;
  issued.serial_hex = serial_hex(cert.get());
  issued.fingerprint_sha256 = fingerprint(cert.get());
  return issued;
}

Result<IssuedCertificate> TestPki::server_certificate(const std::string& stem) {
  return issue(stem, {.common_name = "sentinel-channel",
                      .extended_key_usage = {"serverAuth"},
                      .subject_alt_name = "IP:127.0.0.1,DNS:localhost"});
}

Result<IssuedCertificate> TestPki::client_certificate(const std::string& agent_id) {
  return issue(agent_id, {.common_name = agent_id, .extended_key_usage = {"clientAuth"}});
}

}  // namespace sentinel::test
