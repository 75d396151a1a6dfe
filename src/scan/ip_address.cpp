#include "sentinel/scan/ip_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>

namespace sentinel::scan {
namespace {

constexpr Uint128 kMax128 = ~Uint128{0};

// Strict decimal 0..255 without leading zeros: "010" is octal to inet_aton and to some users,
// so it is refused rather than guessed.
std::optional<std::uint32_t> parse_octet(std::string_view text) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  std::uint32_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (value > 255) return std::nullopt;
  return value;
}

std::optional<std::uint32_t> parse_v4(std::string_view text) {
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    const auto dot = text.find('.');
    const bool last = i == 3;
    if (last != (dot == std::string_view::npos)) return std::nullopt;
    const auto octet = parse_octet(text.substr(0, dot));
    if (!octet) return std::nullopt;
    value = (value << 8) | *octet;
    if (!last) text.remove_prefix(dot + 1);
  }
  return value;
}

}  // namespace

std::string to_decimal(Uint128 value) {
  if (value == 0) return "0";
  std::string digits;
  while (value != 0) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  }
  std::reverse(digits.begin(), digits.end());
  return digits;
}

IpAddress IpAddress::v6_bytes(const std::uint8_t (&bytes)[16]) {
  Uint128 value = 0;
  for (const std::uint8_t byte : bytes) value = (value << 8) | byte;
  return v6(value);
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.find(':') == std::string_view::npos) {
    if (const auto value = parse_v4(text)) return v4(*value);
    return std::nullopt;
  }
  // inet_pton takes no zone index and no brackets; the length bound keeps the copy small.
  if (text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  const std::string copy(text);
  std::uint8_t bytes[16];
  if (inet_pton(AF_INET6, copy.c_str(), bytes) != 1) return std::nullopt;
  return v6_bytes(bytes);
}

Uint128 IpAddress::max_value() const { return is_v4() ? Uint128{0xffffffffU} : kMax128; }

void IpAddress::to_bytes(std::uint8_t (&bytes)[16]) const {
  Uint128 value = value_;
  for (int i = 15; i >= 0; --i) {
    bytes[i] = static_cast<std::uint8_t>(value & 0xff);
    value >>= 8;
  }
}

std::string IpAddress::to_string() const {
  if (is_v4()) {
    const auto v = static_cast<std::uint32_t>(value_);
    return std::to_string(v >> 24) + "." + std::to_string((v >> 16) & 0xff) + "." +
           std::to_string((v >> 8) & 0xff) + "." + std::to_string(v & 0xff);
  }
  std::uint8_t bytes[16];
  to_bytes(bytes);
  std::array<char, INET6_ADDRSTRLEN> text{};
  inet_ntop(AF_INET6, bytes, text.data(), text.size());
  return text.data();
}

Uint128 AddressRange::size() const {
  const Uint128 span = last.value() - first.value();
  return span == kMax128 ? kMax128 : span + 1;
}

std::string AddressRange::to_string() const {
  if (first == last) return first.to_string();
  const Uint128 span = last.value() - first.value();
  // One CIDR block: the size is a power of two and the start is aligned to it.
  if ((span & (span + 1)) == 0 && (first.value() & span) == 0) {
    int host_bits = 0;
    for (Uint128 s = span; s != 0; s >>= 1) ++host_bits;
    return first.to_string() + "/" + std::to_string(first.bits() - host_bits);
  }
  return first.to_string() + "-" + last.to_string();
}

std::vector<std::string> AddressRange::cidrs() const {
  const int width = first.bits();
  const Uint128 end = last.value();
  // A block of 2^host_bits addresses starting at `start` lies inside the range when `start` is
  // aligned to it and the block ends at or before `end`.
  const auto fits = [&](Uint128 start, int host_bits) {
    if (host_bits == 128) return start == 0 && end == ~Uint128{0};
    const Uint128 mask = (Uint128{1} << host_bits) - 1;
    return (start & mask) == 0 && end - start >= mask;
  };
  std::vector<std::string> out;
  Uint128 start = first.value();
  while (true) {
    int host_bits = 0;
    while (host_bits < width && fits(start, host_bits + 1)) ++host_bits;
    const IpAddress address = first.plus(start - first.value());
    out.push_back(host_bits == 0 ? address.to_string()
                                 : address.to_string() + "/" + std::to_string(width - host_bits));
    if (host_bits == 128) break;
    const Uint128 block_last = start + ((Uint128{1} << host_bits) - 1);
    if (block_last >= end) break;
    start = block_last + 1;
  }
  return out;
}

}  // namespace sentinel::scan
