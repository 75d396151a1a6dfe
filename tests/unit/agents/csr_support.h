#pragma once
// Keys, certificate requests and verification for the agents tests, made with OpenSSL directly
// (independently of the code under test).

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>
#include <string_view>

#include "sentinel/common/openssl.h"

namespace sentinel::agents::test {

/// "P-256", "P-384", "secp256k1", "ed25519", "rsa1024" or "rsa2048".
inline ssl::KeyPtr make_key(std::string_view kind) {
  if (kind == "ed25519") return ssl::KeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (kind == "rsa1024") return ssl::KeyPtr(EVP_RSA_gen(1024));
  if (kind == "rsa2048") return ssl::KeyPtr(EVP_RSA_gen(2048));
  return ssl::KeyPtr(EVP_EC_gen(std::string(kind).c_str()));
}

/// A PEM request for `key` with subject CN=`common_name`. With `hostile_extensions` it also asks
/// for CA:TRUE, serverAuth and a subjectAltName, which the CA must ignore.
inline std::string make_csr(EVP_PKEY* key, std::string_view common_name,
                            bool hostile_extensions = false) {
  ssl::RequestPtr request(X509_REQ_new());
  X509_REQ_set_version(request.get(), 0);
  X509_NAME* name = X509_REQ_get_subject_name(request.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Evil Corp"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(
      name, "CN", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>(std::string(common_name).c_str()), -1, -1, 0);
  X509_REQ_set_pubkey(request.get(), key);
  if (hostile_extensions) {
    STACK_OF(X509_EXTENSION)* extensions = sk_X509_EXTENSION_new_null();
    for (const auto& [nid, value] :
         {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
          std::pair{NID_ext_key_usage, "serverAuth,codeSigning"},
          std::pair{NID_subject_alt_name, "DNS:evil.example,IP:10.6.6.6"}}) {
      sk_X509_EXTENSION_push(extensions, X509V3_EXT_conf_nid(nullptr, nullptr, nid, value));
    }
    X509_REQ_add_extensions(request.get(), extensions);
    sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  }
  const bool no_digest = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519;
  X509_REQ_sign(request.get(), key, no_digest ? nullptr : EVP_sha256());
  return ssl::request_pem(request.get());
}

/// A request whose subject was changed after signing: its signature no longer verifies.
inline std::string tampered_csr(EVP_PKEY* key) {
  const std::string pem = make_csr(key, "honest");
  ssl::BioPtr in = ssl::read_bio(pem);
  ssl::RequestPtr request(PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr));
  ssl::NamePtr name(X509_NAME_new());
  X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("changed"), -1, -1, 0);
  // Setting the subject marks the request modified: it is re-encoded, the signature is not.
  X509_REQ_set_subject_name(request.get(), name.get());
  return ssl::request_pem(request.get());
}

/// X509_verify_cert of `cert_pem` against the single trust anchor `ca_pem` for `purpose`
/// (X509_PURPOSE_SSL_CLIENT, X509_PURPOSE_SSL_SERVER); the verification error text otherwise.
inline std::string verify(std::string_view cert_pem, std::string_view ca_pem, int purpose) {
  auto cert = ssl::parse_certificate(cert_pem);
  auto ca = ssl::parse_certificate(ca_pem);
  if (!cert || !ca) return "unparsable";
  std::unique_ptr<X509_STORE, ssl::Deleter<X509_STORE_free>> store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca->get());
  ssl::StoreContextPtr context(X509_STORE_CTX_new());
  X509_STORE_CTX_init(context.get(), store.get(), cert->get(), nullptr);
  X509_STORE_CTX_set_purpose(context.get(), purpose);
  X509_STORE_CTX_set_flags(context.get(), X509_V_FLAG_X509_STRICT);
  if (X509_verify_cert(context.get()) == 1) return "ok";
  return X509_verify_cert_error_string(X509_STORE_CTX_get_error(context.get()));
}

}  // namespace sentinel::agents::test
