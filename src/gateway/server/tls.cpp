#include "tls.h"

#include <fmt/format.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "sentinel/common/openssl.h"

namespace sentinel::gateway {
namespace {

namespace fs = std::filesystem;

constexpr long kValiditySeconds = 365L * 24 * 3600;

Result<ssl::CertPtr> self_signed(EVP_PKEY* key) {
  ssl::CertPtr cert(X509_new());
  if (!cert) return internal_error("cannot build the self-signed certificate: X509_new failed");
  SENTINEL_TRY(ssl::set_random_serial(cert.get()));
  X509_NAME* name = X509_get_subject_name(cert.get());
  const bool built =
      X509_set_version(cert.get(), 2) == 1 &&
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds) != nullptr &&
      X509_set_pubkey(cert.get(), key) == 1 &&
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("SentinelSecure"), -1, -1,
                                 0) == 1 &&
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                                 0) == 1 &&
      X509_set_issuer_name(cert.get(), name) == 1;
  if (!built) {
    return internal_error("cannot build the self-signed certificate: " + ssl::openssl_error());
  }
  X509* self = cert.get();
  SENTINEL_TRY(ssl::add_extension(self, self, NID_basic_constraints, "critical,CA:FALSE"));
  SENTINEL_TRY(ssl::add_extension(self, self, NID_key_usage, "critical,digitalSignature"));
  SENTINEL_TRY(ssl::add_extension(self, self, NID_ext_key_usage, "serverAuth"));
  SENTINEL_TRY(ssl::add_extension(self, self, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"));
  if (X509_sign(self, key, EVP_sha256()) <= 0) {
    return internal_error("cannot sign the self-signed certificate: " + ssl::openssl_error());
  }
  return cert;
}

Result<ssl::CertPtr> read_certificate(const std::string& path) {
  ssl::FilePtr file(std::fopen(path.c_str(), "r"));
  if (!file)
    return invalid_argument(
        fmt::format("cannot read certificate {}: {}", path, std::strerror(errno)));
  ssl::CertPtr cert(PEM_read_X509(file.get(), nullptr, nullptr, nullptr));
  if (!cert) return invalid_argument(fmt::format("{} is not a PEM certificate", path));
  return cert;
}

bool usable(const fs::path& cert_path, const fs::path& key_path) {
  std::error_code ec;
  if (!fs::exists(cert_path, ec) || !fs::exists(key_path, ec)) return false;
  auto cert = read_certificate(cert_path.string());
  return cert && X509_cmp_current_time(X509_get0_notAfter(cert->get())) > 0;
}

Status generate(const fs::path& cert_path, const fs::path& key_path) {
  ssl::KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return internal_error("cannot generate a P-256 key: " + ssl::openssl_error());
  SENTINEL_ASSIGN(cert, self_signed(key.get()));
  SENTINEL_TRY(ssl::write_pem_file(key_path, ssl::private_key_pem(key.get()), 0600));
  return ssl::write_pem_file(cert_path, ssl::certificate_pem(cert.get()), 0644);
}

}  // namespace

Result<TlsFiles> ensure_tls_files(const std::string& data_dir, const std::string& cert_file,
                                  const std::string& key_file) {
  if (!cert_file.empty() || !key_file.empty()) {
    if (cert_file.empty() || key_file.empty()) {
      return invalid_argument("tls: give both a certificate file and a key file, or neither");
    }
    return TlsFiles{cert_file, key_file};
  }
  if (data_dir.empty())
    return invalid_argument("tls: data_dir is required to generate a certificate");
  const fs::path dir = fs::path(data_dir) / "tls";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return internal_error(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  fs::permissions(dir, fs::perms::owner_all, ec);
  const fs::path cert_path = dir / "server.crt";
  const fs::path key_path = dir / "server.key";
  if (!usable(cert_path, key_path)) SENTINEL_TRY(generate(cert_path, key_path));
  return TlsFiles{cert_path.string(), key_path.string()};
}

Status configure_tls(SSL_CTX* ctx, const TlsFiles& files, std::string_view min_version) {
  int version = 0;
  if (min_version == "1.3") {
    version = TLS1_3_VERSION;
  } else if (min_version == "1.2") {
    version = TLS1_2_VERSION;
  } else {
    return invalid_argument(
        fmt::format("tls: min_version must be 1.3 or 1.2, not '{}'", min_version));
  }
  SSL_CTX_set_min_proto_version(ctx, version);
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1 ||
      SSL_CTX_set_ciphersuites(
          ctx, "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256") != 1) {
    return internal_error("tls: cannot set ciphers: " + ssl::openssl_error());
  }
  SENTINEL_TRY(read_certificate(files.cert_file));
  if (SSL_CTX_use_certificate_chain_file(ctx, files.cert_file.c_str()) != 1) {
    return invalid_argument(
        fmt::format("tls: cannot load certificate {}: {}", files.cert_file, ssl::openssl_error()));
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, files.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return invalid_argument(
        fmt::format("tls: cannot load key {}: {}", files.key_file, ssl::openssl_error()));
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return invalid_argument(
        fmt::format("tls: key {} does not match certificate {}", files.key_file, files.cert_file));
  }
  return ok();
}

}  // namespace sentinel::gateway
