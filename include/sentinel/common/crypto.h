#pragma once
// Small cryptographic helpers shared by every service: randomness, digests, encodings.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::crypto {

/// `count` bytes from the OS CSPRNG (libsodium).
std::string random_bytes(std::size_t count);

/// A URL-safe random token with `bytes` bytes of entropy, base64url without padding.
std::string random_token(std::size_t bytes = 32);

/// Lower-case hex of `data`.
std::string to_hex(std::string_view data);

/// SHA-256 of `data` as 64 lower-case hex characters.
std::string sha256_hex(std::string_view data);

/// HMAC with SHA-1 (TOTP) or SHA-256, raw bytes out.
std::string hmac_sha1(std::string_view key, std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);

/// Compares without leaking the position of the first difference through timing.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace sentinel::crypto
