#pragma once
// Owning pointers for OpenSSL objects and the few helpers that every file handling certificates
// shares: the error queue as text, PEM in and out, digests, serials, extensions. Plain OpenSSL 3
// (no Asio, no Beast). Every function is thread-safe; the error queue is per thread.

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "sentinel/common/result.h"

namespace sentinel::ssl {

/// Frees an OpenSSL object with `Free` (`EVP_PKEY_free`, `X509_free`, ...).
template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

/// Frees a certificate stack and the certificates in it.
inline void free_certificates(STACK_OF(X509) * chain) { sk_X509_pop_free(chain, X509_free); }

/// Closes a stdio file (for the PEM calls that take a FILE*).
struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509_free>>;
using CertStackPtr = std::unique_ptr<STACK_OF(X509), Deleter<free_certificates>>;
using StoreContextPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
using RequestPtr = std::unique_ptr<X509_REQ, Deleter<X509_REQ_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using KeyContextPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

/// The oldest queued OpenSSL error of this thread as text ("error:...:no start line"), or
/// "unknown OpenSSL error"; empties this thread's error queue either way.
std::string openssl_error();

/// A read-only memory BIO over `data` (not copied: `data` must outlive it).
BioPtr read_bio(std::string_view data);
/// What was written into the memory BIO `bio`.
std::string bio_text(BIO* bio);

/// The first certificate of PEM text; kInvalidArgument when there is none.
Result<CertPtr> parse_certificate(std::string_view pem);

/// The certificate, private key (unencrypted PKCS#8) or request as PEM text; empty on failure.
std::string certificate_pem(X509* cert);
std::string private_key_pem(EVP_PKEY* key);
std::string request_pem(X509_REQ* request);

/// Lower-case hex SHA-256 of the DER certificate; empty on failure.
std::string fingerprint_sha256(X509* cert);
/// The serial as lower-case hex without leading zeros.
std::string serial_hex(X509* cert);
/// Lower-case hex SHA-256 of the DER SubjectPublicKeyInfo (the pin of enrolment tokens); empty
/// on failure.
std::string public_key_pin(X509* cert);

/// Sets a fresh random positive 16-byte serial.
Status set_random_serial(X509* cert);
/// Adds an extension in OpenSSL's config syntax ("critical,CA:FALSE"); `issuer` signs `cert`
/// (for a self-signed certificate, `cert` itself).
Status add_extension(X509* cert, X509* issuer, int nid, const std::string& value);

/// Unix ms of an ASN1 time; 0 for null or an unreadable time.
std::int64_t time_ms(const ASN1_TIME* time);

/// Reads a whole PEM file; kUnavailable when it cannot be read, kInvalidArgument over 1 MiB.
Result<std::string> read_pem_file(const std::filesystem::path& path);
/// Writes `pem` to a temporary file created with `mode`, fsyncs it and renames it into place, so
/// that a reader never sees half a key or certificate. kInternal when `pem` is empty.
Status write_pem_file(const std::filesystem::path& path, std::string_view pem, mode_t mode);

}  // namespace sentinel::ssl
