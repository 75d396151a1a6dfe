#include "sentinel/common/openssl.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "sentinel/common/crypto.h"

namespace sentinel::ssl {
namespace {

constexpr std::size_t kSerialBytes = 16;
constexpr std::uintmax_t kMaxPemFileBytes = 1 << 20;

// Runs `write` into a fresh memory BIO; its text, or empty when `write` did not return 1.
template <typename Write>
std::string pem_text(Write write) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) {
    ERR_clear_error();
    return {};
  }
  return bio_text(bio.get());
}

}  // namespace

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

BioPtr read_bio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long length = bio != nullptr ? BIO_get_mem_data(bio, &data) : 0;
  return length > 0 ? std::string(data, static_cast<std::size_t>(length)) : std::string();
}

Result<CertPtr> parse_certificate(std::string_view pem) {
  BioPtr bio = read_bio(pem);
  CertPtr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) {
    ERR_clear_error();
    return invalid_argument("no PEM certificate found");
  }
  return cert;
}

std::string certificate_pem(X509* cert) {
  return pem_text([cert](BIO* out) { return PEM_write_bio_X509(out, cert); });
}

std::string private_key_pem(EVP_PKEY* key) {
  return pem_text([key](BIO* out) {
    return PEM_write_bio_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr);
  });
}

std::string request_pem(X509_REQ* request) {
  return pem_text([request](BIO* out) { return PEM_write_bio_X509_REQ(out, request); });
}

std::string fingerprint_sha256(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &length) != 1) return {};
  return crypto::to_hex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string serial_hex(X509* cert) {
  BignumPtr number(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!number) return {};
  char* hex = BN_bn2hex(number.get());
  std::string out(hex != nullptr ? hex : "");
  OPENSSL_free(hex);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // BN_bn2hex writes whole bytes ("0abc"); serials are shown and compared without the padding.
  const std::size_t first = out.find_first_not_of('0');
  return first == std::string::npos ? "0" : out.substr(first);
}

std::string public_key_pin(X509* cert) {
  unsigned char* der = nullptr;
  const int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
  if (length <= 0) return {};
  std::string hash = crypto::sha256_hex(
      std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length)));
  OPENSSL_free(der);
  return hash;
}

Status set_random_serial(X509* cert) {
  std::string bytes = crypto::random_bytes(kSerialBytes);
  // Top bit clear: DER integers are signed and RFC 5280 wants a positive serial. Never zero.
  bytes[0] = static_cast<char>(static_cast<unsigned char>(bytes[0]) & 0x7f);
  if (bytes[0] == 0) bytes[0] = 0x01;
  BignumPtr number(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                             static_cast<int>(bytes.size()), nullptr));
  if (!number || BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(cert)) == nullptr) {
    return internal_error("cannot set a certificate serial: " + openssl_error());
  }
  return ok();
}

Status add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  ExtensionPtr extension(X509V3_EXT_nconf_nid(nullptr, &context, nid, value.c_str()));
  if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) {
    return internal_error(
        fmt::format("cannot add extension {}={}: {}", OBJ_nid2sn(nid), value, openssl_error()));
  }
  return ok();
}

std::int64_t time_ms(const ASN1_TIME* time) {
  std::tm parts{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&parts)) * 1000;
}

Result<std::string> read_pem_file(const std::filesystem::path& path) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return unavailable(fmt::format("cannot read {}: {}", path.string(), ec.message()));
  if (size > kMaxPemFileBytes) {
    return invalid_argument(fmt::format("{} is too large", path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return unavailable(fmt::format("cannot read {}", path.string()));
  return text.str();
}

Status write_pem_file(const std::filesystem::path& path, std::string_view pem, mode_t mode) {
  // An empty text is what the *_pem() helpers give on failure: never let it replace a file.
  if (pem.empty()) {
    return internal_error(fmt::format("cannot write {}: no PEM text", path.string()));
  }
  const std::string temporary = path.string() + ".tmp";
  ::unlink(temporary.c_str());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return internal_error(fmt::format("cannot create {}: {}", temporary, std::strerror(errno)));
  }
  std::size_t written = 0;
  while (written < pem.size()) {
    const ssize_t n = ::write(fd, pem.data() + written, pem.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  const bool complete = written == pem.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!complete || ::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temporary.c_str());
    return internal_error(fmt::format("cannot write {}: {}", path.string(), reason));
  }
  return ok();
}

}  // namespace sentinel::ssl
