#pragma once
// Owning pointers for OpenSSL objects and the few helpers every certificate file here needs.

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "sentinel/common/result.h"

namespace sentinel::agents::ssl {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509_free>>;
using RequestPtr = std::unique_ptr<X509_REQ, Deleter<X509_REQ_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using KeyContextPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;

/// The oldest queued OpenSSL error as text; empties this thread's error queue.
std::string take_error();

/// A memory BIO over `data` (not copied: `data` must outlive it).
BioPtr read_bio(std::string_view data);

/// The first certificate of PEM text; kInvalidArgument when there is none.
Result<CertPtr> parse_certificate(std::string_view pem);

/// The certificate and key as PEM text.
std::string certificate_pem(X509* cert);
std::string private_key_pem(EVP_PKEY* key);

/// Lower-case hex SHA-256 of the DER certificate.
std::string fingerprint_sha256(X509* cert);
/// The serial as lower-case hex without leading zeros.
std::string serial_hex(X509* cert);
/// Lower-case hex SHA-256 of the DER SubjectPublicKeyInfo (the pin of enrolment tokens).
std::string public_key_pin(X509* cert);

/// Sets a fresh random positive 16-byte serial.
Status set_random_serial(X509* cert);
/// Adds an extension in OpenSSL's config syntax ("critical,CA:FALSE"); `issuer` signs `cert`.
Status add_extension(X509* cert, X509* issuer, int nid, const std::string& value);

/// Unix ms of an ASN1 time.
std::int64_t time_ms(const ASN1_TIME* time);

/// Reads a whole (small) file.
Result<std::string> read_file(const std::filesystem::path& path);
/// Writes `content` to a temporary file created with `mode`, fsyncs it and renames it into place.
Status write_file_atomically(const std::filesystem::path& path, std::string_view content,
                             mode_t mode);

}  // namespace sentinel::agents::ssl
