#pragma once
// A throwaway certificate authority for tests of mutual TLS: a CA, server and client
// certificates with chosen extended key usages, written as PEM files into a directory.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::test {

/// What an issued test certificate says.
struct CertificateSpec {
  std::string common_name;
  std::vector<std::string> extended_key_usage;  // "serverAuth", "clientAuth"; empty: no extension
  std::string subject_alt_name;                 // OpenSSL syntax, e.g. "IP:127.0.0.1"; empty: none
  int valid_days = 30;
};

/// The PEM files of an issued certificate and its EC P-256 key, and the fields a verifier sees.
struct IssuedCertificate {
  std::string cert_file;
  std::string key_file;
  std::string common_name;
  std::string serial_hex;          // lower-case hex, no leading zeros
  std::string fingerprint_sha256;  // lower-case hex of the DER certificate
};

/// A self-signed EC P-256 CA whose files live in a directory the caller owns (e.g. a TempDir).
/// Movable, not thread-safe. Test-only.
class TestPki {
 public:
  /// Creates the CA as DIR/ca.crt and DIR/ca.key.
  static Result<TestPki> create(std::filesystem::path dir, std::string name = "Sentinel Test CA");

  TestPki(TestPki&&) noexcept;
  TestPki& operator=(TestPki&&) noexcept;
  ~TestPki();

  /// The CA certificate (PEM).
  const std::string& ca_file() const;

  /// Issues `spec`, signed by the CA, as DIR/STEM.crt and DIR/STEM.key.
  Result<IssuedCertificate> issue(const std::string& stem, const CertificateSpec& spec);
  /// A serverAuth certificate for IP:127.0.0.1 and DNS:localhost.
  Result<IssuedCertificate> server_certificate(const std::string& stem = "server");
  /// A clientAuth certificate whose CN is `agent_id`, as the agent CA issues them.
  Result<IssuedCertificate> client_certificate(const std::string& agent_id);

 private:
  struct Impl;
  explicit TestPki(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sentinel::test
