#include "sentinel/auth/totp.h"

#include <fmt/format.h>

#include <array>
#include <cctype>

#include "sentinel/common/crypto.h"

namespace sentinel::auth::totp {
namespace {

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t kSecretBytes = 20;  // 160 bits, the HMAC-SHA1 block recommendation
constexpr int kMaxDigits = 9;             // 10^9 still fits the 31-bit truncated value

int base32_value(char c) {
  const char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto pos = kBase32Alphabet.find(upper);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// RFC 3986 unreserved characters pass; everything else becomes %XX.
std::string percent_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace

std::string base32_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kBase32Alphabet[(buffer >> (bits - 5)) & 0x1f]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kBase32Alphabet[(buffer << (5 - bits)) & 0x1f]);
  return out;
}

Result<std::string> base32_decode(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  bool padding = false;
  for (char c : text) {
    if (c == ' ') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    if (padding) return invalid_argument("base32: data after '=' padding");
    const int value = base32_value(c);
    if (value < 0) return invalid_argument(fmt::format("base32: invalid character '{}'", c));
    buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  // Leftover bits must be fewer than a byte's worth of symbols (RFC 4648 lengths only).
  if (bits >= 5) return invalid_argument("base32: truncated input");
  return out;
}

std::string generate_secret() { return crypto::random_bytes(kSecretBytes); }

std::string code_at(std::string_view secret, std::int64_t unix_seconds, int digits) {
  const auto counter = static_cast<std::uint64_t>(unix_seconds / kStepSeconds);
  std::array<char, 8> message{};
  for (int i = 0; i < 8; ++i) message[7 - i] = static_cast<char>((counter >> (8 * i)) & 0xff);
  const std::string mac = crypto::hmac_sha1(secret, std::string_view(message.data(), 8));
  // RFC 4226 dynamic truncation: 31 bits read big-endian at the offset named by the last nibble.
  const auto byte = [&mac](int i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(mac[i]));
  };
  const int offset = static_cast<int>(byte(static_cast<int>(mac.size()) - 1) & 0x0f);
  const std::uint32_t binary = ((byte(offset) & 0x7f) << 24) | (byte(offset + 1) << 16) |
                               (byte(offset + 2) << 8) | byte(offset + 3);
  const int width = digits < 1 ? 1 : (digits > kMaxDigits ? kMaxDigits : digits);
  std::uint32_t modulus = 1;
  for (int i = 0; i < width; ++i) modulus *= 10;
  return fmt::format("{:0{}}", binary % modulus, width);
}

std::optional<std::int64_t> matching_step(std::string_view secret, std::string_view code,
                                          std::int64_t unix_seconds, int window) {
  if (code.size() != static_cast<std::size_t>(kDigits)) return std::nullopt;
  for (char c : code) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  const std::int64_t now_step = unix_seconds / kStepSeconds;
  std::optional<std::int64_t> found;
  // Check every candidate so that the time taken does not depend on which step matched.
  for (std::int64_t step = now_step - window; step <= now_step + window; ++step) {
    if (step < 0) continue;
    const std::string expected = code_at(secret, step * kStepSeconds, kDigits);
    if (crypto::constant_time_equal(expected, code) && !found) found = step;
  }
  return found;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view secret) {
  const std::string encoded_issuer = percent_encode(issuer);
  return fmt::format("otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={}&period={}",
                     encoded_issuer, percent_encode(account), base32_encode(secret), encoded_issuer,
                     kDigits, kStepSeconds);
}

}  // namespace sentinel::auth::totp
