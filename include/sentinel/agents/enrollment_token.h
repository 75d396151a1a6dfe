#pragma once
// The text of an enrolment token, shared by the server (which makes them) and the agent (which
// reads the pin out of one). Header-only so that sentinel-agent needs no server library.
//
//   se1.<secret: base64url of 32 random bytes, 43 characters>.<pin: 64 lower-case hex>
//
// The pin is the SHA-256 of the DER SubjectPublicKeyInfo of the gateway's TLS certificate, so
// that the agent can trust the server on first contact without a CA file.

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel::agents {

inline constexpr std::string_view kEnrollmentTokenPrefix = "se1.";
inline constexpr std::size_t kEnrollmentSecretLength = 43;
inline constexpr std::size_t kEnrollmentPinLength = 64;

/// The two parts of a well-formed token (views into the parsed text).
struct EnrollmentTokenParts {
  std::string_view secret;
  std::string_view pin;
};

/// Splits `token`; nullopt unless it has exactly the shape above.
inline std::optional<EnrollmentTokenParts> parse_enrollment_token(std::string_view token) {
  if (token.size() !=
          kEnrollmentTokenPrefix.size() + kEnrollmentSecretLength + 1 + kEnrollmentPinLength ||
      !token.starts_with(kEnrollmentTokenPrefix)) {
    return std::nullopt;
  }
  const std::string_view secret =
      token.substr(kEnrollmentTokenPrefix.size(), kEnrollmentSecretLength);
  const std::string_view dot =
      token.substr(kEnrollmentTokenPrefix.size() + kEnrollmentSecretLength, 1);
  const std::string_view pin = token.substr(token.size() - kEnrollmentPinLength);
  const bool secret_ok = std::all_of(secret.begin(), secret.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
  const bool pin_ok = std::all_of(pin.begin(), pin.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  if (dot != "." || !secret_ok || !pin_ok) return std::nullopt;
  return EnrollmentTokenParts{secret, pin};
}

/// The token text of `secret` (base64url, 43 characters) and `pin` (64 lower-case hex).
inline std::string format_enrollment_token(std::string_view secret, std::string_view pin) {
  std::string out(kEnrollmentTokenPrefix);
  out.append(secret).append(".").append(pin);
  return out;
}

}  // namespace sentinel::agents
