#pragma once
// What an administrator checks about a certificate: names, validity, fingerprints, key, and
// whether it signed itself. Reads the first certificate of PEM text; OpenSSL stays in the .cpp.

#include <cstdint>
#include <string>
#include <string_view>

#include "sentinel/common/result.h"

namespace sentinel::agents {

/// The facts of one X.509 certificate, as the settings API shows them.
struct CertificateFacts {
  std::string subject;  // RFC 2253, e.g. "CN=localhost,O=SentinelSecure"
  std::string issuer;
  std::string serial_hex;  // lower-case hex, no leading zeros (as the agents API shows serials)
  std::int64_t not_before_ms = 0;
  std::int64_t not_after_ms = 0;
  /// SHA-256 of the DER certificate as `openssl x509 -fingerprint -sha256` prints it:
  /// upper-case hex pairs separated by colons.
  std::string sha256_fingerprint;
  /// Lower-case hex SHA-256 of the DER SubjectPublicKeyInfo: the pin enrolment tokens carry.
  std::string public_key_sha256;
  std::string key_type;  // "EC P-256", "RSA 2048", "Ed25519", ...
  /// Issued by its own subject and signed by its own key.
  bool self_signed = false;
};

/// The facts of the first certificate in `pem`; kInvalidArgument when there is none.
Result<CertificateFacts> describe_certificate(std::string_view pem);

/// "AB:CD:..." for lower- or upper-case hex "abcd...".
std::string colon_hex(std::string_view hex);

}  // namespace sentinel::agents
