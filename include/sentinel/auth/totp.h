#pragma once
// RFC 6238 time-based one-time passwords (HMAC-SHA1, 30 s steps, 6 digits) and RFC 4648 base32.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sentinel/common/result.h"

namespace sentinel::auth::totp {

inline constexpr int kDigits = 6;
inline constexpr int kStepSeconds = 30;

/// RFC 4648 base32, upper case, without padding.
std::string base32_encode(std::string_view bytes);
/// Accepts upper or lower case, optional '=' padding and spaces; kInvalidArgument otherwise.
Result<std::string> base32_decode(std::string_view text);

/// A new random 160-bit secret (raw bytes).
std::string generate_secret();

/// The code for `unix_seconds` (RFC 6238 with SHA-1), zero-padded to `digits`.
std::string code_at(std::string_view secret, std::int64_t unix_seconds, int digits = kDigits);

/// The time step (unix_seconds / 30) whose code equals `code`, searching `window` steps either
/// side of now; nullopt when none matches. Callers reject a step not greater than the last one
/// accepted for the user, so that a code cannot be used twice.
std::optional<std::int64_t> matching_step(std::string_view secret, std::string_view code,
                                          std::int64_t unix_seconds, int window = 1);

/// otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret);

}  // namespace sentinel::auth::totp
