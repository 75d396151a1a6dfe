#pragma once
// IPv4 and IPv6 addresses and networks for the Sigma `cidr` modifier, checked without
// allocating.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sentinel::detection {

/// An address as 16 bytes; IPv4 (and IPv4-mapped IPv6) addresses are kept as IPv4.
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};
  bool v4 = false;
};

/// A network: an address and a prefix length.
struct IpNetwork {
  IpAddress address;
  int prefix = 0;
};

/// Parses "192.0.2.1", "2001:db8::1" or "::ffff:192.0.2.1"; nullopt when not an address.
std::optional<IpAddress> parse_ip_address(std::string_view text);

/// Parses "10.0.0.0/8", "2001:db8::/32" or a bare address (a host network).
std::optional<IpNetwork> parse_ip_network(std::string_view text);

/// True when `address` lies in `network` (same family).
bool network_contains(const IpNetwork& network, const IpAddress& address);

}  // namespace sentinel::detection
