#include "tests/scanbed/tls_identity.h"

#include <openssl/rsa.h>
#include <openssl/ssl.h>

#include "sentinel/common/openssl.h"

namespace sentinel::scanbed {
namespace {

constexpr int kRsaBits = 2048;
constexpr long kValiditySeconds = 10L * 365 * 24 * 3600;

Result<ssl::KeyPtr> make_rsa_key() {
  ssl::KeyContextPtr context(EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!context || EVP_PKEY_keygen_init(context.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(context.get(), kRsaBits) <= 0 ||
      EVP_PKEY_keygen(context.get(), &raw) <= 0) {
    return internal_error("cannot generate the bed's RSA key: " + ssl::openssl_error());
  }
  return ssl::KeyPtr(raw);
}

Result<ssl::CertPtr> self_signed(EVP_PKEY* key, const std::string& common_name) {
  ssl::CertPtr cert(X509_new());
  if (!cert) return internal_error("X509_new: " + ssl::openssl_error());
  X509_set_version(cert.get(), 2);
  SENTINEL_TRY(ssl::set_random_serial(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key);
  SENTINEL_TRY(
      ssl::add_extension(cert.get(), cert.get(), NID_subject_alt_name, "DNS:" + common_name));
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) {
    return internal_error("cannot sign the bed's certificate: " + ssl::openssl_error());
  }
  return cert;
}

}  // namespace

Result<std::unique_ptr<boost::asio::ssl::context>> make_tls_context(
    const std::string& common_name) {
  SENTINEL_ASSIGN(key, make_rsa_key());
  SENTINEL_ASSIGN(cert, self_signed(key.get(), common_name));
  auto context = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate(native, cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(native, key.get()) != 1 || SSL_CTX_check_private_key(native) != 1) {
    return internal_error("cannot load the bed's certificate: " + ssl::openssl_error());
  }
  return context;
}

}  // namespace sentinel::scanbed
