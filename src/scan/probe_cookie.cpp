#include "probe_cookie.h"

#include <sodium.h>

#include <cstring>

#include "sentinel/common/crypto.h"

namespace sentinel::scan {
namespace {

/// Appends the network-order bytes of `address` at `out`; returns the bytes written.
std::size_t put_address(IpAddress address, std::uint8_t* out) {
  if (address.is_v4()) {
    const auto value = static_cast<std::uint32_t>(address.value());
    out[0] = static_cast<std::uint8_t>(value >> 24);
    out[1] = static_cast<std::uint8_t>(value >> 16);
    out[2] = static_cast<std::uint8_t>(value >> 8);
    out[3] = static_cast<std::uint8_t>(value);
    return 4;
  }
  std::uint8_t bytes[16];
  address.to_bytes(bytes);
  std::memcpy(out, bytes, sizeof(bytes));
  return sizeof(bytes);
}

}  // namespace

static_assert(ProbeCookies::kKeySize == crypto_shorthash_KEYBYTES);

ProbeCookies ProbeCookies::random() {
  const std::string bytes = crypto::random_bytes(kKeySize);
  Key key{};
  std::memcpy(key.data(), bytes.data(), key.size());
  return ProbeCookies(key);
}

std::uint32_t ProbeCookies::cookie(IpAddress source, IpAddress destination,
                                   std::uint16_t source_port,
                                   std::uint16_t destination_port) const {
  std::uint8_t message[2 * 16 + 4];
  std::size_t length = put_address(source, message);
  length += put_address(destination, message + length);
  message[length++] = static_cast<std::uint8_t>(source_port >> 8);
  message[length++] = static_cast<std::uint8_t>(source_port);
  message[length++] = static_cast<std::uint8_t>(destination_port >> 8);
  message[length++] = static_cast<std::uint8_t>(destination_port);
  std::uint8_t hash[crypto_shorthash_BYTES];
  crypto_shorthash(hash, message, length, key_.data());
  return static_cast<std::uint32_t>(hash[0]) | static_cast<std::uint32_t>(hash[1]) << 8 |
         static_cast<std::uint32_t>(hash[2]) << 16 | static_cast<std::uint32_t>(hash[3]) << 24;
}

}  // namespace sentinel::scan
