#include "tls_facts.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <string>

#include "sentinel/common/openssl.h"

namespace sentinel::scan {
namespace {

// Certificates are attacker-controlled: keep names and SAN lists to a sane size.
constexpr std::size_t kMaxNameChars = 1024;
constexpr int kMaxAltNames = 100;

std::string name_text(const X509_NAME* name) {
  if (name == nullptr) return {};
  ssl::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  // RFC 2253 with UTF-8 kept as is (not escaped to \UXXXX), most significant RDN last.
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  std::string text = ssl::bio_text(bio.get());
  if (text.size() > kMaxNameChars) text.resize(kMaxNameChars);
  return text;
}

std::string ip_text(const ASN1_OCTET_STRING* ip) {
  const int length = ASN1_STRING_length(ip);
  if (length != 4 && length != 16) return {};
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(length == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(ip), text, sizeof(text));
  return text;
}

std::string string_text(const ASN1_STRING* value) {
  const auto* data = reinterpret_cast<const char*>(ASN1_STRING_get0_data(value));
  const auto length = static_cast<std::size_t>(std::max(0, ASN1_STRING_length(value)));
  return std::string(data, std::min(length, kMaxNameChars));
}

std::vector<std::string> alt_names(X509* cert) {
  std::vector<std::string> names;
  ssl::NamesPtr general(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!general) return names;
  const int count = std::min(sk_GENERAL_NAME_num(general.get()), kMaxAltNames);
  for (int i = 0; i < count; ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(general.get(), i);
    switch (name->type) {
      case GEN_DNS:
        names.push_back("DNS:" + string_text(name->d.dNSName));
        break;
      case GEN_IPADD:
        names.push_back("IP:" + ip_text(name->d.iPAddress));
        break;
      case GEN_EMAIL:
        names.push_back("email:" + string_text(name->d.rfc822Name));
        break;
      case GEN_URI:
        names.push_back("URI:" + string_text(name->d.uniformResourceIdentifier));
        break;
      default:
        break;  // directory names, other names: rare on servers, not worth a format
    }
  }
  return names;
}

std::string key_type_name(const EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
      return "RSA";
    case EVP_PKEY_EC:
      return "EC";
    case EVP_PKEY_ED25519:
      return "ED25519";
    case EVP_PKEY_ED448:
      return "ED448";
    case EVP_PKEY_DSA:
      return "DSA";
    default:
      return "unknown";
  }
}

}  // namespace

TlsFacts certificate_facts(X509* cert) {
  TlsFacts facts;
  if (cert == nullptr) return facts;
  facts.subject = name_text(X509_get_subject_name(cert));
  facts.issuer = name_text(X509_get_issuer_name(cert));
  facts.subject_alt_names = alt_names(cert);
  facts.not_before_ms = ssl::time_ms(X509_get0_notBefore(cert));
  facts.not_after_ms = ssl::time_ms(X509_get0_notAfter(cert));
  // Issuer equals subject and the certificate's own key verifies its signature.
  facts.self_signed = X509_self_signed(cert, 1) == 1;
  ERR_clear_error();
  if (const EVP_PKEY* key = X509_get0_pubkey(cert); key != nullptr) {
    facts.key_type = key_type_name(key);
    facts.key_bits = EVP_PKEY_get_bits(key);
  }
  facts.fingerprint_sha256 = ssl::fingerprint_sha256(cert);
  return facts;
}

std::string_view tls_version_name(int version) {
  switch (version) {
    case TLS1_VERSION:
      return "TLSv1";
    case TLS1_1_VERSION:
      return "TLSv1.1";
    case TLS1_2_VERSION:
      return "TLSv1.2";
    case TLS1_3_VERSION:
      return "TLSv1.3";
    default:
      return "unknown";
  }
}

}  // namespace sentinel::scan
