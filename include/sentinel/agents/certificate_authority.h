#pragma once
// The agent CA: the server's own certificate authority. It signs every agent's client
// certificate and the agent channel's server certificate, and is the only trust anchor of the
// channel. OpenSSL stays in certificate_authority.cpp.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"

namespace sentinel::agents {

/// A certificate the CA issued.
struct IssuedCertificate {
  std::string certificate_pem;
  std::string serial_hex;          // lower-case hex, no leading zeros (as the TLS layer reports it)
  std::string fingerprint_sha256;  // lower-case hex SHA-256 of the DER certificate
  std::int64_t not_after_ms = 0;
};

/// The PEM files of the channel listener's server certificate and its private key.
struct ChannelCertificateFiles {
  std::string cert_file;
  std::string key_file;
};

/// The CA's key and certificate in a directory of their own (0700; the key 0600). Thread-safe.
class CertificateAuthority {
 public:
  /// At first start creates `dir`/ca.key (EC P-256) and `dir`/ca.crt (self-signed, CA:TRUE,
  /// pathlen 0, keyCertSign|cRLSign, ten years); later loads them. Fails when only one of the
  /// two exists, when they do not match, when the key is readable by others or the CA expired.
  /// `clock` must outlive the CA.
  static Result<std::unique_ptr<CertificateAuthority>> open_or_create(
      const std::filesystem::path& dir, const Clock& clock);
  ~CertificateAuthority();
  CertificateAuthority(const CertificateAuthority&) = delete;
  CertificateAuthority& operator=(const CertificateAuthority&) = delete;

  /// Signs a PKCS#10 request (PEM) for `agent_id`: checks the request's self-signature and its
  /// key (EC P-256 or P-384, Ed25519, RSA of 2048 to 8192 bits); ignores the requested subject
  /// and extensions. The certificate has CN=agent_id, O=SentinelSecure agents, CA:FALSE,
  /// digitalSignature, extendedKeyUsage clientAuth only, a random positive 16-byte serial,
  /// notBefore five minutes ago (clock skew) and notAfter now + `lifetime`.
  /// kInvalidArgument (field "csr") for anything unacceptable, saying what.
  Result<IssuedCertificate> sign_agent_csr(std::string_view csr_pem, std::string_view agent_id,
                                           std::chrono::seconds lifetime) const;

  /// The channel listener's server certificate `dir`/channel.crt and key `dir`/channel.key,
  /// signed by this CA: extendedKeyUsage serverAuth only, one year, subjectAltNames `names` plus
  /// 127.0.0.1, ::1, localhost and this machine's hostname (IP addresses as IP names, the rest as
  /// DNS names). Regenerated when missing, expiring within 30 days, not signed by this CA, or
  /// when the names changed.
  Result<ChannelCertificateFiles> ensure_channel_certificate(const std::vector<std::string>& names);

  /// The CA certificate, PEM; agents trust it for the channel.
  const std::string& ca_certificate_pem() const;
  /// Path of the CA certificate file (`dir`/ca.crt).
  std::string ca_file() const;

 private:
  struct State;
  explicit CertificateAuthority(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace sentinel::agents
