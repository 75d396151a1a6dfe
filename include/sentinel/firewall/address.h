#pragma once
// IPv4 and IPv6 addresses and networks as firewall policies use them: strict text forms, and
// numeric values so that sets of them become intervals.

#include <cstdint>
#include <string>
#include <string_view>

#include "sentinel/common/result.h"

namespace sentinel::firewall {

/// 128-bit unsigned arithmetic for IPv6 intervals (GCC and Clang both provide it).
using Uint128 = unsigned __int128;

/// The address family of a packet, an address or a set half.
enum class IpFamily { kV4, kV6 };

/// An address: the family and the value (IPv4 in the low 32 bits). A plain value type.
struct IpAddress {
  IpFamily family = IpFamily::kV4;
  Uint128 value = 0;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

/// A network: an address whose host bits are zero, and a prefix length.
struct IpNetwork {
  IpAddress address;
  int prefix = 0;

  /// The lowest and highest address values in the network.
  Uint128 first() const { return address.value; }
  Uint128 last() const;

  friend bool operator==(const IpNetwork&, const IpNetwork&) = default;
};

/// The largest address value of a family (2^32-1 or 2^128-1).
Uint128 max_address(IpFamily family);

/// Parses "192.0.2.1" or "2001:db8::1". Refuses zone ids, whitespace and IPv4-mapped IPv6
/// addresses (nftables never matches an IPv4 packet against them), naming what is wrong.
Result<IpAddress> parse_ip_address(std::string_view text);

/// Parses "10.0.0.0/8", "2001:db8::/32" or a bare address (a host network). Refuses host bits
/// set under the prefix ("10.0.0.1/8") and prefix lengths out of range or with leading zeros.
Result<IpNetwork> parse_ip_network(std::string_view text);

/// The canonical text ("192.0.2.1", RFC 5952 for IPv6).
std::string format_ip_address(const IpAddress& address);

/// The canonical text "ADDRESS/PREFIX"; a host network is written as the bare address.
std::string format_ip_network(const IpNetwork& network);

/// The canonical text of the interval [first, last]: a network when it is one, else "A-B".
std::string format_address_interval(IpFamily family, Uint128 first, Uint128 last);

/// True for 127.0.0.0/8 and ::1.
bool is_loopback(const IpAddress& address);

}  // namespace sentinel::firewall
