#include "agent/firewall/server_addresses.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <charconv>

namespace sentinel::agent::firewall {
namespace {

using sentinel::firewall::IpAddress;
using sentinel::firewall::IpFamily;
using sentinel::firewall::Uint128;

// Every address compared in one space, IPv6's, with IPv4 as its mapped form (::ffff:0:0/96):
// an IPv4 network and its mapped spelling then contain the same peers.
constexpr Uint128 kMappedPrefix = Uint128{0xffff} << 32;
constexpr int kMappedPrefixLength = 96;

struct Range {
  Uint128 value = 0;
  int prefix = 128;
};

std::optional<Range> parse_range(std::string_view text) {
  int prefix = -1;
  if (const auto slash = text.find('/'); slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
      return std::nullopt;
    }
    text = text.substr(0, slash);
  }
  const std::string address(text);
  if (address.find(':') == std::string::npos) {
    in_addr v4{};
    if (::inet_pton(AF_INET, address.c_str(), &v4) != 1) return std::nullopt;
    if (prefix > 32) return std::nullopt;
    return Range{kMappedPrefix | ntohl(v4.s_addr), prefix < 0 ? 128 : kMappedPrefixLength + prefix};
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, address.c_str(), &v6) != 1 || prefix > 128) return std::nullopt;
  Uint128 value = 0;
  for (const unsigned char byte : v6.s6_addr) value = (value << 8) | byte;
  return Range{value, prefix < 0 ? 128 : prefix};
}

bool contains(const Range& network, Uint128 address) {
  if (network.prefix <= 0) return true;
  const int shift = 128 - network.prefix;
  return shift == 0 ? network.value == address : (network.value >> shift) == (address >> shift);
}

Uint128 mapped(const IpAddress& address) {
  return address.family == IpFamily::kV4 ? (kMappedPrefix | address.value) : address.value;
}

}  // namespace

std::optional<IpAddress> server_address(std::string_view text) {
  if (text.find('/') != std::string_view::npos) return std::nullopt;
  // A link-local peer comes with its zone ("fe80::1%eth0"); packets carry the address alone.
  if (const auto zone = text.find('%'); zone != std::string_view::npos && zone > 0) {
    text = text.substr(0, zone);
  }
  const std::optional<Range> range = parse_range(text);
  if (!range) return std::nullopt;
  if ((range->value >> 32) == (kMappedPrefix >> 32)) {
    return IpAddress{IpFamily::kV4, range->value & 0xffffffffu};
  }
  return IpAddress{IpFamily::kV6, range->value};
}

std::optional<std::string> server_protects(std::string_view blocked,
                                           const std::vector<IpAddress>& servers) {
  const std::optional<Range> range = parse_range(blocked);
  if (!range) return std::nullopt;
  for (const IpAddress& server : servers) {
    if (!contains(*range, mapped(server))) continue;
    const std::string text = sentinel::firewall::format_ip_address(server);
    return range->prefix == 128 ? fmt::format("{} ({})", kServerReason, text)
                                : fmt::format("it contains {}, {}", text, kServerReason);
  }
  return std::nullopt;
}

ServerSplit without_servers(const std::vector<std::string>& blocked,
                            const std::vector<IpAddress>& servers) {
  ServerSplit split;
  for (const std::string& address : blocked) {
    if (auto reason = server_protects(address, servers)) {
      split.left_out.push_back({address, std::move(*reason)});
    } else {
      split.blocked.push_back(address);
    }
  }
  return split;
}

}  // namespace sentinel::agent::firewall
