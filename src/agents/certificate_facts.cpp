#include "certificate_facts.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include <cctype>

#include "sentinel/common/openssl.h"

namespace sentinel::agents {
namespace {

std::string name_text(const X509_NAME* name) {
  ssl::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  return ssl::bio_text(bio.get());
}

// The NIST name of a curve where it has one ("P-256"), else OpenSSL's ("secp256k1").
std::string curve_name(EVP_PKEY* key) {
  char group[80] = {};
  std::size_t length = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof group, &length) != 1) return "unknown curve";
  const char* nist = EC_curve_nid2nist(OBJ_sn2nid(group));
  return nist != nullptr ? nist : group;
}

std::string key_type(X509* cert) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key == nullptr) return "unknown";
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC:
      return "EC " + curve_name(key);
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
      return "RSA " + std::to_string(EVP_PKEY_get_bits(key));
    case EVP_PKEY_ED25519:
      return "Ed25519";
    case EVP_PKEY_ED448:
      return "Ed448";
    default: {
      const char* name = OBJ_nid2sn(EVP_PKEY_get_base_id(key));
      return name != nullptr ? name : "unknown";
    }
  }
}

}  // namespace

std::string colon_hex(std::string_view hex) {
  std::string out;
  out.reserve(hex.size() + hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); ++i) {
    if (i > 0 && i % 2 == 0) out += ':';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i])));
  }
  return out;
}

Result<CertificateFacts> describe_certificate(std::string_view pem) {
  SENTINEL_ASSIGN(cert, ssl::parse_certificate(pem));
  CertificateFacts facts;
  facts.subject = name_text(X509_get_subject_name(cert.get()));
  facts.issuer = name_text(X509_get_issuer_name(cert.get()));
  facts.serial_hex = ssl::serial_hex(cert.get());
  facts.not_before_ms = ssl::time_ms(X509_get0_notBefore(cert.get()));
  facts.not_after_ms = ssl::time_ms(X509_get0_notAfter(cert.get()));
  facts.sha256_fingerprint = colon_hex(ssl::fingerprint_sha256(cert.get()));
  facts.public_key_sha256 = ssl::public_key_pin(cert.get());
  facts.key_type = key_type(cert.get());
  // Also checks the signature, so a certificate that only claims its own subject as issuer is
  // not called self-signed.
  facts.self_signed = X509_self_signed(cert.get(), 1) == 1;
  ERR_clear_error();
  return facts;
}

}  // namespace sentinel::agents
