// The agent CA over plain OpenSSL 3 (EVP and X509 APIs; nothing is shelled out).

#include "sentinel/agents/certificate_authority.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>

#include "sentinel/common/crypto.h"
#include "sentinel/common/openssl.h"

namespace sentinel::agents {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kDaySeconds = 24 * 3600;
constexpr std::int64_t kCaLifetimeSeconds = 3650 * kDaySeconds;
constexpr std::int64_t kChannelLifetimeSeconds = 365 * kDaySeconds;
constexpr std::int64_t kChannelRenewBeforeSeconds = 30 * kDaySeconds;
// Agents' clocks may run behind the server's a little.
constexpr std::int64_t kBackdateSeconds = 300;
constexpr std::size_t kMaxCsrBytes = 16 * 1024;
constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;
constexpr std::string_view kAgentOrganisation = "SentinelSecure agents";

Error csr_error(std::string message) { return invalid_argument(std::move(message), "csr"); }

Status set_times(X509* cert, std::int64_t not_before_s, std::int64_t not_after_s) {
  if (ASN1_TIME_set(X509_getm_notBefore(cert), static_cast<time_t>(not_before_s)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert), static_cast<time_t>(not_after_s)) == nullptr) {
    return internal_error("cannot set certificate validity: " + ssl::openssl_error());
  }
  return ok();
}

Status add_name_entry(X509_NAME* name, const char* field, std::string_view value) {
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1) {
    return internal_error(fmt::format("cannot set {}: {}", field, ssl::openssl_error()));
  }
  return ok();
}

Status sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) <= 0) {
    return internal_error("cannot sign the certificate: " + ssl::openssl_error());
  }
  return ok();
}

// ---- the CA's own files ----------------------------------------------------------------------

struct CaFiles {
  fs::path key;
  fs::path cert;
};

CaFiles files_in(const fs::path& dir) { return {dir / "ca.key", dir / "ca.crt"}; }

Result<ssl::CertPtr> make_ca_certificate(EVP_PKEY* key, std::int64_t now_s) {
  ssl::CertPtr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) return internal_error("X509_new failed");
  const std::string name = "SentinelSecure Agent CA " + crypto::to_hex(crypto::random_bytes(4));
  X509_NAME* subject = X509_get_subject_name(cert.get());
  SENTINEL_TRY(add_name_entry(subject, "O", "SentinelSecure"));
  SENTINEL_TRY(add_name_entry(subject, "CN", name));
  if (X509_set_issuer_name(cert.get(), subject) != 1 || X509_set_pubkey(cert.get(), key) != 1) {
    return internal_error("cannot build the CA certificate: " + ssl::openssl_error());
  }
  SENTINEL_TRY(ssl::set_random_serial(cert.get()));
  SENTINEL_TRY(set_times(cert.get(), now_s - kBackdateSeconds, now_s + kCaLifetimeSeconds));
  SENTINEL_TRY(ssl::add_extension(cert.get(), cert.get(), NID_basic_constraints,
                                  "critical,CA:TRUE,pathlen:0"));
  SENTINEL_TRY(
      ssl::add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign"));
  SENTINEL_TRY(ssl::add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash"));
  SENTINEL_TRY(
      ssl::add_extension(cert.get(), cert.get(), NID_authority_key_identifier, "keyid:always"));
  SENTINEL_TRY(sign(cert.get(), key));
  return cert;
}

// Writes a new CA into `dir` (which exists and holds neither file): the key first, so that a
// certificate never exists without its key.
Status write_new_ca(const fs::path& dir, std::int64_t now_s) {
  ssl::KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return internal_error("cannot generate the CA key: " + ssl::openssl_error());
  SENTINEL_ASSIGN(cert, make_ca_certificate(key.get(), now_s));
  const CaFiles files = files_in(dir);
  SENTINEL_TRY(ssl::write_pem_file(files.key, ssl::private_key_pem(key.get()), 0600));
  return ssl::write_pem_file(files.cert, ssl::certificate_pem(cert.get()), 0644);
}

// Creates `dir` with a new CA inside, atomically: built in a sibling directory and renamed, so
// that a crash or a second server starting at the same moment never leaves half a CA. Losing
// the race is fine: the winner's CA is loaded.
Status create_ca_directory(const fs::path& dir, std::int64_t now_s) {
  std::error_code ec;
  fs::create_directories(dir.parent_path(), ec);
  const fs::path staging = dir.parent_path() / (dir.filename().string() + ".new-" +
                                                crypto::to_hex(crypto::random_bytes(4)));
  if (::mkdir(staging.c_str(), 0700) != 0) {
    return internal_error(
        fmt::format("cannot create {}: {}", staging.string(), std::strerror(errno)));
  }
  Status written = write_new_ca(staging, now_s);
  const int renamed = written ? ::rename(staging.c_str(), dir.c_str()) : -1;
  const int rename_errno = errno;
  if (renamed == 0) return ok();
  fs::remove_all(staging, ec);
  if (!written) return written;
  if (rename_errno == EEXIST || rename_errno == ENOTEMPTY) return ok();  // another process won
  return internal_error(
      fmt::format("cannot create {}: {}", dir.string(), std::strerror(rename_errno)));
}

Status ensure_ca_files(const fs::path& dir, std::int64_t now_s) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return create_ca_directory(dir, now_s);
  const CaFiles files = files_in(dir);
  const bool has_key = fs::exists(files.key, ec);
  const bool has_cert = fs::exists(files.cert, ec);
  if (has_key && has_cert) return ok();
  if (!has_key && !has_cert) {
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    return write_new_ca(dir, now_s);
  }
  return internal_error(fmt::format(
      "the agent CA in {} is incomplete: {} is missing. Restore it from a backup; removing the "
      "directory creates a new CA, and every enrolled agent must then enrol again",
      dir.string(), (has_key ? files.cert : files.key).string()));
}

// ---- the channel certificate -----------------------------------------------------------------

// "IP:127.0.0.1" or "DNS:localhost" for a configured name; kInvalidArgument for neither.
Result<std::string> subject_alt_name(std::string name) {
  std::string address = name;
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  unsigned char raw[16];
  char text[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, address.c_str(), raw) == 1) {
    return "IP:" + std::string(inet_ntop(AF_INET, raw, text, sizeof text));
  }
  if (inet_pton(AF_INET6, address.c_str(), raw) == 1) {
    return "IP:" + std::string(inet_ntop(AF_INET6, raw, text, sizeof text));
  }
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool valid = !name.empty() && name.size() <= 253 &&
                     std::all_of(name.begin(), name.end(), [](unsigned char c) {
                       return std::isalnum(c) || c == '-' || c == '.' || c == '_';
                     });
  if (!valid) {
    return invalid_argument(fmt::format("'{}' is neither an IP address nor a DNS name", name),
                            "channel_names");
  }
  return "DNS:" + name;
}

Result<std::set<std::string>> wanted_names(const std::vector<std::string>& names) {
  std::vector<std::string> all = {"127.0.0.1", "::1", "localhost"};
  char hostname[256] = {};
  if (::gethostname(hostname, sizeof hostname - 1) == 0 && hostname[0] != '\0') {
    all.emplace_back(hostname);
  }
  all.insert(all.end(), names.begin(), names.end());
  std::set<std::string> out;
  for (const std::string& name : all) {
    if (name.empty()) continue;
    SENTINEL_ASSIGN(san, subject_alt_name(name));
    out.insert(std::move(san));
  }
  return out;
}

std::set<std::string> names_in(X509* cert) {
  std::set<std::string> out;
  ssl::NamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return out;
  char text[INET6_ADDRSTRLEN];
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      const ASN1_STRING* dns = name->d.dNSName;
      out.insert("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                      static_cast<std::size_t>(ASN1_STRING_length(dns))));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = name->d.iPAddress;
      const int family = ASN1_STRING_length(ip) == 4 ? AF_INET : AF_INET6;
      if (inet_ntop(family, ASN1_STRING_get0_data(ip), text, sizeof text) != nullptr) {
        out.insert("IP:" + std::string(text));
      }
    }
  }
  return out;
}

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ",") + name;
  return out;
}

}  // namespace

struct CertificateAuthority::State {
  fs::path dir;
  const Clock* clock = nullptr;
  ssl::KeyPtr key;
  ssl::CertPtr cert;
  std::string pem;
  std::int64_t not_after_s = 0;
  // Signing reads the CA key and certificate; one at a time keeps OpenSSL's lazy caches calm.
  mutable std::mutex sign_mutex;
  std::mutex channel_mutex;
};

CertificateAuthority::CertificateAuthority(std::unique_ptr<State> state)
    : state_(std::move(state)) {}

CertificateAuthority::~CertificateAuthority() = default;

Result<std::unique_ptr<CertificateAuthority>> CertificateAuthority::open_or_create(
    const fs::path& dir, const Clock& clock) {
  const std::int64_t now_s = clock.now_s();
  SENTINEL_TRY(ensure_ca_files(dir, now_s));
  const CaFiles files = files_in(dir);
  struct stat key_stat {};
  if (::stat(files.key.c_str(), &key_stat) != 0) {
    return internal_error(
        fmt::format("cannot stat {}: {}", files.key.string(), std::strerror(errno)));
  }
  if ((key_stat.st_mode & 077) != 0) {
    return internal_error(
        fmt::format("{} is accessible to other users; run chmod 600 on it", files.key.string()));
  }
  auto state = std::make_unique<State>();
  state->dir = dir;
  state->clock = &clock;
  SENTINEL_ASSIGN(key_pem, ssl::read_pem_file(files.key));
  SENTINEL_ASSIGN(cert_pem, ssl::read_pem_file(files.cert));
  ssl::BioPtr key_bio = ssl::read_bio(key_pem);
  state->key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  OPENSSL_cleanse(key_pem.data(), key_pem.size());
  if (!state->key) {
    return internal_error(
        fmt::format("{} is not a PEM private key: {}", files.key.string(), ssl::openssl_error()));
  }
  auto cert = ssl::parse_certificate(cert_pem);
  if (!cert)
    return internal_error(fmt::format("{}: {}", files.cert.string(), cert.error().message));
  state->cert = std::move(*cert);
  if (X509_check_private_key(state->cert.get(), state->key.get()) != 1) {
    ERR_clear_error();
    return internal_error(
        fmt::format("{} does not belong to {}", files.key.string(), files.cert.string()));
  }
  if (X509_check_ca(state->cert.get()) == 0) {
    return internal_error(fmt::format("{} is not a CA certificate", files.cert.string()));
  }
  state->not_after_s = ssl::time_ms(X509_get0_notAfter(state->cert.get())) / 1000;
  if (state->not_after_s <= now_s) {
    return internal_error(fmt::format(
        "the agent CA {} has expired; agents must enrol again with a new CA", files.cert.string()));
  }
  state->pem = ssl::certificate_pem(state->cert.get());
  return std::unique_ptr<CertificateAuthority>(new CertificateAuthority(std::move(state)));
}

Result<IssuedCertificate> CertificateAuthority::sign_agent_csr(
    std::string_view csr_pem, std::string_view agent_id, std::chrono::seconds lifetime) const {
  if (agent_id.empty() || agent_id.size() > 64 ||
      !std::all_of(agent_id.begin(), agent_id.end(),
                   [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; })) {
    return invalid_argument("an agent id has 1 to 64 letters, digits, '_' or '-'", "agent_id");
  }
  if (lifetime.count() <= 0) return invalid_argument("lifetime must be positive", "lifetime");
  if (csr_pem.empty()) return csr_error("csr: the certificate request is empty");
  if (csr_pem.size() > kMaxCsrBytes) {
    return csr_error(fmt::format("csr: larger than {} bytes", kMaxCsrBytes));
  }
  ssl::BioPtr bio = ssl::read_bio(csr_pem);
  ssl::RequestPtr request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!request) {
    ERR_clear_error();
    return csr_error("csr: not a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----)");
  }
  EVP_PKEY* public_key = X509_REQ_get0_pubkey(request.get());
  if (public_key == nullptr) {
    ERR_clear_error();
    return csr_error("csr: the request holds no usable public key");
  }
  switch (EVP_PKEY_get_base_id(public_key)) {
    case EVP_PKEY_EC: {
      char group[64] = {};
      std::size_t length = 0;
      EVP_PKEY_get_utf8_string_param(public_key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                     &length);
      const std::string_view curve(group, length);
      if (curve != "prime256v1" && curve != "secp384r1") {
        return csr_error(fmt::format("csr: EC curve '{}' is not accepted; use P-256 or P-384",
                                     curve.empty() ? "?" : curve));
      }
      ssl::KeyContextPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, public_key, nullptr));
      if (!check || EVP_PKEY_public_check(check.get()) != 1) {
        ERR_clear_error();
        return csr_error("csr: the EC public key is not a valid point");
      }
      break;
    }
    case EVP_PKEY_ED25519:
      break;
    case EVP_PKEY_RSA: {
      const int bits = EVP_PKEY_get_bits(public_key);
      if (bits < kMinRsaBits || bits > kMaxRsaBits) {
        return csr_error(fmt::format("csr: an RSA key of {} bits is not accepted; use {} to {}",
                                     bits, kMinRsaBits, kMaxRsaBits));
      }
      break;
    }
    default:
      return csr_error("csr: key type not accepted; use EC P-256 or P-384, Ed25519 or RSA");
  }
  if (X509_REQ_verify(request.get(), public_key) != 1) {
    ERR_clear_error();
    return csr_error("csr: the request's signature does not verify with its own key");
  }

  const std::int64_t now_s = state_->clock->now_s();
  const std::int64_t not_after_s = std::min(now_s + lifetime.count(), state_->not_after_s);
  ssl::CertPtr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) return internal_error("X509_new failed");
  // The request's subject and extensions are ignored: what the certificate says is ours.
  ssl::NamePtr subject(X509_NAME_new());
  SENTINEL_TRY(add_name_entry(subject.get(), "O", kAgentOrganisation));
  SENTINEL_TRY(add_name_entry(subject.get(), "CN", agent_id));
  SENTINEL_TRY(ssl::set_random_serial(cert.get()));
  SENTINEL_TRY(set_times(cert.get(), now_s - kBackdateSeconds, not_after_s));
  std::lock_guard lock(state_->sign_mutex);
  if (X509_set_subject_name(cert.get(), subject.get()) != 1 ||
      X509_set_issuer_name(cert.get(), X509_get_subject_name(state_->cert.get())) != 1 ||
      X509_set_pubkey(cert.get(), public_key) != 1) {
    return internal_error("cannot build the agent certificate: " + ssl::openssl_error());
  }
  X509* issuer = state_->cert.get();
  SENTINEL_TRY(ssl::add_extension(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE"));
  SENTINEL_TRY(ssl::add_extension(cert.get(), issuer, NID_key_usage, "critical,digitalSignature"));
  SENTINEL_TRY(ssl::add_extension(cert.get(), issuer, NID_ext_key_usage, "clientAuth"));
  SENTINEL_TRY(ssl::add_extension(cert.get(), issuer, NID_subject_key_identifier, "hash"));
  SENTINEL_TRY(ssl::add_extension(cert.get(), issuer, NID_authority_key_identifier, "keyid"));
  SENTINEL_TRY(sign(cert.get(), state_->key.get()));
  return IssuedCertificate{ssl::certificate_pem(cert.get()), ssl::serial_hex(cert.get()),
                           ssl::fingerprint_sha256(cert.get()), not_after_s * 1000};
}

Result<ChannelCertificateFiles> CertificateAuthority::ensure_channel_certificate(
    const std::vector<std::string>& names) {
  SENTINEL_ASSIGN(wanted, wanted_names(names));
  std::lock_guard lock(state_->channel_mutex);
  const ChannelCertificateFiles files{(state_->dir / "channel.crt").string(),
                                      (state_->dir / "channel.key").string()};
  const std::int64_t now_s = state_->clock->now_s();

  // Reuse the current pair when it is ours, fresh, for the same names and complete.
  if (auto cert_pem = ssl::read_pem_file(files.cert_file)) {
    auto cert = ssl::parse_certificate(*cert_pem);
    auto key_pem = ssl::read_pem_file(files.key_file);
    if (cert && key_pem) {
      ssl::BioPtr key_bio = ssl::read_bio(*key_pem);
      ssl::KeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
      ssl::KeyPtr ca_public(X509_get_pubkey(state_->cert.get()));
      const bool current = key && X509_check_private_key(cert->get(), key.get()) == 1 &&
                           X509_verify(cert->get(), ca_public.get()) == 1 &&
                           ssl::time_ms(X509_get0_notAfter(cert->get())) / 1000 - now_s >
                               kChannelRenewBeforeSeconds &&
                           names_in(cert->get()) == wanted;
      ERR_clear_error();
      if (current) return files;
    }
  }

  ssl::KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return internal_error("cannot generate the channel key: " + ssl::openssl_error());
  ssl::CertPtr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) return internal_error("X509_new failed");
  X509* issuer = state_->cert.get();
  X509_NAME* subject = X509_get_subject_name(cert.get());
  SENTINEL_TRY(add_name_entry(subject, "O", "SentinelSecure"));
  SENTINEL_TRY(add_name_entry(subject, "CN", "SentinelSecure agent channel"));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer)) != 1 ||
      X509_set_pubkey(cert.get(), key.get()) != 1) {
    return internal_error("cannot build the channel certificate: " + ssl::openssl_error());
  }
  SENTINEL_TRY(ssl::set_random_serial(cert.get()));
  SENTINEL_TRY(set_times(cert.get(), now_s - kBackdateSeconds,
                         std::min(now_s + kChannelLifetimeSeconds, state_->not_after_s)));
  SENTINEL_TRY(ssl::add_extension(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE"));
  SENTINEL_TRY(ssl::add_extension(cert.get(), issuer, NID_key_usage, "critical,digitalSignature"));
  SENTINEL_TRY(ssl::add_extension(cert.get(), issuer, NID_ext_key_usage, "serverAuth"));
  SENTINEL_TRY(ssl::add_extension(cert.get(), issuer, NID_subject_alt_name, joined(wanted)));
  SENTINEL_TRY(ssl::add_extension(cert.get(), issuer, NID_subject_key_identifier, "hash"));
  SENTINEL_TRY(ssl::add_extension(cert.get(), issuer, NID_authority_key_identifier, "keyid"));
  {
    std::lock_guard sign_lock(state_->sign_mutex);
    SENTINEL_TRY(sign(cert.get(), state_->key.get()));
  }
  SENTINEL_TRY(ssl::write_pem_file(files.key_file, ssl::private_key_pem(key.get()), 0600));
  SENTINEL_TRY(ssl::write_pem_file(files.cert_file, ssl::certificate_pem(cert.get()), 0644));
  return files;
}

const std::string& CertificateAuthority::ca_certificate_pem() const { return state_->pem; }

std::string CertificateAuthority::ca_file() const { return (state_->dir / "ca.crt").string(); }

}  // namespace sentinel::agents
