#pragma once
// The addresses of the server the agent reports to, which no block may cover: a block of the
// channel's peer would cut the agent off, and then no unblock could reach it until the block
// expired. The server refuses blocks of the addresses it knows as its own; the agent alone
// knows the address it actually connects to (a host name, NAT).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/firewall/address.h"

namespace sentinel::agent::firewall {

/// Why a block leaves out one of its addresses, as the answers to firewall_block and
/// firewall_apply report it under "left_out": [{"address", "reason"}].
inline constexpr std::string_view kServerReason = "the server this agent reports to";

/// A blocked address (or network) left out, and why.
struct LeftOut {
  std::string address;
  std::string reason;

  friend bool operator==(const LeftOut&, const LeftOut&) = default;
};

/// An address as a socket reports it, as the firewall sees its packets: an IPv4-mapped IPv6
/// address (::ffff:a.b.c.d, in any spelling) is the IPv4 address, and a zone id is dropped
/// (fe80::1%eth0 is fe80::1). nullopt when `text` is not an IPv4 or IPv6 address. Pure.
std::optional<sentinel::firewall::IpAddress> server_address(std::string_view text);

/// The reason `blocked` ("ADDRESS" or "ADDRESS/PREFIX", IPv4, IPv6 or IPv4-mapped IPv6) must be
/// left out: it is one of `servers` or a network that contains one (an IPv4 network and the
/// IPv4-mapped one count as the same). nullopt when it may be blocked, also when it does not
/// parse (the command's own parser refuses those). Pure.
std::optional<std::string> server_protects(
    std::string_view blocked, const std::vector<sentinel::firewall::IpAddress>& servers);

/// `blocked` split into what may be blocked (in order) and what is left out. Pure.
struct ServerSplit {
  std::vector<std::string> blocked;
  std::vector<LeftOut> left_out;
};
ServerSplit without_servers(const std::vector<std::string>& blocked,
                            const std::vector<sentinel::firewall::IpAddress>& servers);

}  // namespace sentinel::agent::firewall
