#include "sentinel/firewall/address.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <array>
#include <cstring>

namespace sentinel::firewall {
namespace {

int family_bits(IpFamily family) { return family == IpFamily::kV4 ? 32 : 128; }

// The mask of the host part of a network of `prefix` bits.
Uint128 host_mask(IpFamily family, int prefix) {
  const int host_bits = family_bits(family) - prefix;
  if (host_bits <= 0) return 0;
  if (host_bits >= 128) return ~Uint128{0};
  return (Uint128{1} << host_bits) - 1;
}

bool is_ipv4_mapped(const std::array<unsigned char, 16>& bytes) {
  static constexpr std::array<unsigned char, 12> kPrefix = {0, 0, 0, 0, 0,    0,
                                                            0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(bytes.data(), kPrefix.data(), kPrefix.size()) == 0;
}

}  // namespace

Uint128 IpNetwork::last() const { return address.value | host_mask(address.family, prefix); }

Uint128 max_address(IpFamily family) {
  return family == IpFamily::kV4 ? Uint128{0xffffffffu} : ~Uint128{0};
}

Result<IpAddress> parse_ip_address(std::string_view text) {
  // inet_pton needs a terminated string; anything longer than the longest form is not one.
  if (text.empty() || text.size() > 45) {
    return invalid_argument(fmt::format("'{}' is not an IP address", text));
  }
  const std::string terminated(text);
  // inet_pton stops at a NUL: "10.0.0.1\0junk" would read as 10.0.0.1.
  if (terminated.find('\0') != std::string::npos) {
    return invalid_argument("an IP address must not contain a NUL byte");
  }
  if (terminated.find('%') != std::string::npos) {
    return invalid_argument(fmt::format("'{}': zone ids are not allowed in a policy", text));
  }
  IpAddress address;
  if (terminated.find(':') == std::string::npos) {
    in_addr v4{};
    // glibc refuses leading zeros and short forms ("10.1"), which is the strictness we want.
    if (::inet_pton(AF_INET, terminated.c_str(), &v4) != 1) {
      return invalid_argument(fmt::format("'{}' is not an IPv4 address", text));
    }
    address.family = IpFamily::kV4;
    address.value = ntohl(v4.s_addr);
    return address;
  }
  std::array<unsigned char, 16> bytes{};
  if (::inet_pton(AF_INET6, terminated.c_str(), bytes.data()) != 1) {
    return invalid_argument(fmt::format("'{}' is not an IPv6 address", text));
  }
  if (is_ipv4_mapped(bytes)) {
    return invalid_argument(
        fmt::format("'{}' is an IPv4-mapped IPv6 address, which never matches IPv4 packets; "
                    "write the IPv4 address {}.{}.{}.{}",
                    text, bytes[12], bytes[13], bytes[14], bytes[15]));
  }
  address.family = IpFamily::kV6;
  for (unsigned char byte : bytes) address.value = (address.value << 8) | byte;
  return address;
}

Result<IpNetwork> parse_ip_network(std::string_view text) {
  const auto slash = text.find('/');
  SENTINEL_ASSIGN(address, parse_ip_address(text.substr(0, slash)));
  IpNetwork network{address, family_bits(address.family)};
  if (slash == std::string_view::npos) return network;
  const std::string_view digits = text.substr(slash + 1);
  const bool well_formed = !digits.empty() && digits.size() <= 3 &&
                           (digits.size() == 1 || digits[0] != '0') &&
                           digits.find_first_not_of("0123456789") == std::string_view::npos;
  int prefix = 0;
  if (well_formed) {
    for (char c : digits) prefix = prefix * 10 + (c - '0');
  }
  if (!well_formed || prefix > family_bits(address.family)) {
    return invalid_argument(
        fmt::format("'{}': the prefix length must be 0-{}", text, family_bits(address.family)));
  }
  network.prefix = prefix;
  if ((address.value & host_mask(address.family, prefix)) != 0) {
    IpNetwork intended = network;
    intended.address.value &= ~host_mask(address.family, prefix);
    return invalid_argument(fmt::format("'{}' has host bits set; the network is {}", text,
                                        format_ip_network(intended)));
  }
  return network;
}

std::string format_ip_address(const IpAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.family == IpFamily::kV4) {
    in_addr v4{};
    v4.s_addr = htonl(static_cast<std::uint32_t>(address.value));
    ::inet_ntop(AF_INET, &v4, text, sizeof text);
  } else {
    std::array<unsigned char, 16> bytes{};
    Uint128 value = address.value;
    for (int i = 15; i >= 0; --i) {
      bytes[i] = static_cast<unsigned char>(value & 0xff);
      value >>= 8;
    }
    ::inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
  }
  return text;
}

std::string format_ip_network(const IpNetwork& network) {
  if (network.prefix == family_bits(network.address.family)) {
    return format_ip_address(network.address);
  }
  return fmt::format("{}/{}", format_ip_address(network.address), network.prefix);
}

std::string format_address_interval(IpFamily family, Uint128 first, Uint128 last) {
  // A network is an interval whose size is a power of two and whose start is aligned to it.
  for (int prefix = 0; prefix <= family_bits(family); ++prefix) {
    const Uint128 mask = host_mask(family, prefix);
    if ((first & mask) == 0 && (first | mask) == last) {
      return format_ip_network({{family, first}, prefix});
    }
  }
  return fmt::format("{}-{}", format_ip_address({family, first}),
                     format_ip_address({family, last}));
}

bool is_loopback(const IpAddress& address) {
  if (address.family == IpFamily::kV4) return (address.value >> 24) == 127;
  return address.value == 1;
}

}  // namespace sentinel::firewall
