#include "tls.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "sentinel/common/crypto.h"

namespace sentinel::gateway {
namespace {

namespace fs = std::filesystem;

constexpr long kValiditySeconds = 365L * 24 * 3600;

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

bool add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (extension == nullptr) return false;
  const bool added = X509_add_ext(cert, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

Result<CertPtr> self_signed(EVP_PKEY* key) {
  CertPtr cert(X509_new());
  const std::string serial = crypto::random_bytes(16);
  BIGNUM* serial_bn = BN_bin2bn(reinterpret_cast<const unsigned char*>(serial.data()),
                                static_cast<int>(serial.size()), nullptr);
  X509_NAME* name = X509_get_subject_name(cert.get());
  const bool built =
      cert && serial_bn && X509_set_version(cert.get(), 2) == 1 &&
      BN_to_ASN1_INTEGER(serial_bn, X509_get_serialNumber(cert.get())) != nullptr &&
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds) != nullptr &&
      X509_set_pubkey(cert.get(), key) == 1 &&
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("SentinelSecure"), -1, -1,
                                 0) == 1 &&
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                                 0) == 1 &&
      X509_set_issuer_name(cert.get(), name) == 1 &&
      add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") &&
      add_extension(cert.get(), NID_key_usage, "critical,digitalSignature") &&
      add_extension(cert.get(), NID_ext_key_usage, "serverAuth") &&
      add_extension(cert.get(), NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost") &&
      X509_sign(cert.get(), key, EVP_sha256()) > 0;
  BN_free(serial_bn);
  if (!built) return internal_error("cannot build the self-signed certificate: " + openssl_error());
  return cert;
}

// Writes PEM through `write` to a temporary file created with `mode`, then renames it into place.
template <typename Write>
Status write_pem(const fs::path& path, mode_t mode, Write write) {
  const fs::path temporary = path.string() + ".tmp";
  ::unlink(temporary.c_str());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    return internal_error(
        fmt::format("cannot create {}: {}", temporary.string(), std::strerror(errno)));
  FilePtr file(::fdopen(fd, "w"));
  if (!file) {
    ::close(fd);
    return internal_error(fmt::format("cannot open {}", temporary.string()));
  }
  const bool written = write(file.get()) == 1 && std::fflush(file.get()) == 0 && ::fsync(fd) == 0;
  file.reset();
  std::error_code ec;
  if (written) fs::rename(temporary, path, ec);
  if (!written || ec) {
    fs::remove(temporary, ec);
    return internal_error(fmt::format("cannot write {}", path.string()));
  }
  return ok();
}

Result<CertPtr> read_certificate(const std::string& path) {
  FilePtr file(std::fopen(path.c_str(), "r"));
  if (!file)
    return invalid_argument(
        fmt::format("cannot read certificate {}: {}", path, std::strerror(errno)));
  CertPtr cert(PEM_read_X509(file.get(), nullptr, nullptr, nullptr));
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
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return internal_error("cannot generate a P-256 key: " + openssl_error());
  SENTINEL_ASSIGN(cert, self_signed(key.get()));
  SENTINEL_TRY(write_pem(key_path, 0600, [&](FILE* out) {
    return PEM_write_PrivateKey(out, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  }));
  return write_pem(cert_path, 0644, [&](FILE* out) { return PEM_write_X509(out, cert.get()); });
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
    return internal_error("tls: cannot set ciphers: " + openssl_error());
  }
  SENTINEL_TRY(read_certificate(files.cert_file));
  if (SSL_CTX_use_certificate_chain_file(ctx, files.cert_file.c_str()) != 1) {
    return invalid_argument(
        fmt::format("tls: cannot load certificate {}: {}", files.cert_file, openssl_error()));
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, files.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return invalid_argument(
        fmt::format("tls: cannot load key {}: {}", files.key_file, openssl_error()));
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return invalid_argument(
        fmt::format("tls: key {} does not match certificate {}", files.key_file, files.cert_file));
  }
  return ok();
}

}  // namespace sentinel::gateway
