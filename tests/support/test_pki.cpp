#include "tests/support/test_pki.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "sentinel/common/openssl.h"

namespace sentinel::test {
namespace {

Status set_names(X509_NAME* name, const std::string& common_name) {
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("SentinelSecure Tests"), -1,
                                 -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                 -1, 0) != 1) {
    return internal_error("cannot set the subject: " + ssl::openssl_error());
  }
  return ok();
}

// Fills everything but the issuer, the extensions and the signature.
Status fill(X509* cert, EVP_PKEY* key, const std::string& common_name, int valid_days) {
  SENTINEL_TRY(ssl::set_random_serial(cert));
  if (X509_set_version(cert, 2) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(cert), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert), 24L * 3600 * valid_days) == nullptr ||
      X509_set_pubkey(cert, key) != 1) {
    return internal_error("cannot fill the certificate: " + ssl::openssl_error());
  }
  return set_names(X509_get_subject_name(cert), common_name);
}

Status sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) <= 0) {
    return internal_error("cannot sign: " + ssl::openssl_error());
  }
  return ok();
}

// A certificate for `spec` with key `key`, issued by `ca` and signed with `ca_key`. Extensions
// the spec leaves empty are left out.
Status build_leaf(X509* cert, EVP_PKEY* key, X509* ca, EVP_PKEY* ca_key,
                  const CertificateSpec& spec) {
  SENTINEL_TRY(fill(cert, key, spec.common_name, spec.valid_days));
  if (X509_set_issuer_name(cert, X509_get_subject_name(ca)) != 1) {
    return internal_error("cannot set the issuer: " + ssl::openssl_error());
  }
  SENTINEL_TRY(ssl::add_extension(cert, ca, NID_basic_constraints, "critical,CA:FALSE"));
  SENTINEL_TRY(ssl::add_extension(cert, ca, NID_key_usage, "critical,digitalSignature"));
  SENTINEL_TRY(ssl::add_extension(cert, ca, NID_authority_key_identifier, "keyid:always"));
  std::string usages;
  for (const auto& usage : spec.extended_key_usage) {
    usages += (usages.empty() ? "" : ",") + usage;
  }
  if (!usages.empty()) {
    SENTINEL_TRY(ssl::add_extension(cert, ca, NID_ext_key_usage, usages));
  }
  if (!spec.subject_alt_name.empty()) {
    SENTINEL_TRY(ssl::add_extension(cert, ca, NID_subject_alt_name, spec.subject_alt_name));
  }
  return sign(cert, ca_key);
}

Status write_files(const std::filesystem::path& cert_file, const std::filesystem::path& key_file,
                   X509* cert, EVP_PKEY* key) {
  SENTINEL_TRY(ssl::write_pem_file(cert_file, ssl::certificate_pem(cert), 0644));
  return ssl::write_pem_file(key_file, ssl::private_key_pem(key), 0600);
}

}  // namespace

struct TestPki::Impl {
  std::filesystem::path dir;
  std::string ca_file;
  ssl::KeyPtr key;
  ssl::CertPtr cert;
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
  if (!impl->key || !cert) {
    return internal_error("cannot build the test CA: " + ssl::openssl_error());
  }
  SENTINEL_TRY(fill(cert, impl->key.get(), name, 365));
  if (X509_set_issuer_name(cert, X509_get_subject_name(cert)) != 1) {
    return internal_error("cannot build the test CA: " + ssl::openssl_error());
  }
  SENTINEL_TRY(ssl::add_extension(cert, cert, NID_basic_constraints, "critical,CA:TRUE"));
  SENTINEL_TRY(ssl::add_extension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign"));
  SENTINEL_TRY(ssl::add_extension(cert, cert, NID_subject_key_identifier, "hash"));
  SENTINEL_TRY(sign(cert, impl->key.get()));
  const auto path = impl->dir / "ca.crt";
  SENTINEL_TRY(write_files(path, impl->dir / "ca.key", cert, impl->key.get()));
  impl->ca_file = path.string();
  return TestPki(std::move(impl));
}

Result<IssuedCertificate> TestPki::issue(const std::string& stem, const CertificateSpec& spec) {
  ssl::KeyPtr key(EVP_EC_gen("P-256"));
  ssl::CertPtr cert(X509_new());
  Status built = key && cert
                     ? build_leaf(cert.get(), key.get(), impl_->cert.get(), impl_->key.get(), spec)
                     : internal_error(ssl::openssl_error());
  if (!built) {
    return internal_error(
        fmt::format("cannot issue the test certificate {}: {}", stem, built.error().message));
  }
  IssuedCertificate issued;
  issued.cert_file = (impl_->dir / (stem + ".crt")).string();
  issued.key_file = (impl_->dir / (stem + ".key")).string();
  SENTINEL_TRY(write_files(issued.cert_file, issued.key_file, cert.get(), key.get()));
  issued.common_name = spec.common_name;
  issued.serial_hex = ssl::serial_hex(cert.get());
  issued.fingerprint_sha256 = ssl::fingerprint_sha256(cert.get());
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
