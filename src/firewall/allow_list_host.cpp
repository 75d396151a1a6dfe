#include "allow_list_host.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <optional>
#include <string>

#include "logger.h"
#include "sentinel/agents/enrollment.h"

namespace sentinel::firewall {
namespace {

AllowListEntry builtin(const IpNetwork& network, std::string comment) {
  AllowListEntry entry;
  entry.cidr = format_ip_network(network);
  entry.comment = std::move(comment);
  entry.builtin = true;
  return entry;
}

// A link-local address names a neighbour on each agent's own link (its IPv6 router is often
// fe80::1): blocking one would drop that neighbour's router and neighbour advertisements.
constexpr IpNetwork kLinkLocalV4{{IpFamily::kV4, Uint128{0xa9fe} << 16}, 16};
constexpr IpNetwork kLinkLocalV6{{IpFamily::kV6, Uint128{0xfe80} << 112}, 10};

IpNetwork host_network(const IpAddress& address) {
  return {address, address.family == IpFamily::kV4 ? 32 : 128};
}

std::optional<IpAddress> address_of(const sockaddr* socket_address) {
  if (socket_address == nullptr) return std::nullopt;
  if (socket_address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(socket_address);
    return IpAddress{IpFamily::kV4, ntohl(v4->sin_addr.s_addr)};
  }
  if (socket_address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(socket_address);
    Uint128 value = 0;
    for (unsigned char byte : v6->sin6_addr.s6_addr) value = (value << 8) | byte;
    return IpAddress{IpFamily::kV6, value};
  }
  return std::nullopt;
}

struct InterfaceAddress {
  std::string name;
  IpAddress address;
};

std::vector<InterfaceAddress> interface_addresses() {
  std::vector<InterfaceAddress> out;
  ifaddrs* interfaces = nullptr;
  if (getifaddrs(&interfaces) != 0) {
    firewall_log().warn("the host's interface addresses cannot be read: {}", std::strerror(errno));
    return out;
  }
  for (const ifaddrs* each = interfaces; each != nullptr; each = each->ifa_next) {
    if (const std::optional<IpAddress> address = address_of(each->ifa_addr)) {
      out.push_back({each->ifa_name, *address});
    }
  }
  freeifaddrs(interfaces);
  return out;
}

void add_interfaces(std::vector<AllowListEntry>& out) {
  for (const InterfaceAddress& each : interface_addresses()) {
    // Loopback and link-local are listed as a whole.
    if (is_loopback(each.address) || network_contains(kLinkLocalV4, each.address) ||
        network_contains(kLinkLocalV6, each.address)) {
      continue;
    }
    out.push_back(builtin(host_network(each.address), "interface " + each.name));
  }
}

}  // namespace

std::vector<IpAddress> host_interface_addresses() {
  std::vector<IpAddress> out;
  for (const InterfaceAddress& each : interface_addresses()) out.push_back(each.address);
  return out;
}

std::vector<AllowListEntry> builtin_allow_list(const AllowListOptions& options) {
  std::vector<AllowListEntry> out;
  out.push_back(builtin({{IpFamily::kV4, Uint128{127} << 24}, 8}, "loopback"));
  out.push_back(builtin({{IpFamily::kV6, 1}, 128}, "loopback"));
  out.push_back(builtin(kLinkLocalV4, "link-local"));
  out.push_back(builtin(kLinkLocalV6, "link-local"));
  if (options.host_interfaces) add_interfaces(out);
  for (const ServedEndpoint& endpoint : options.endpoints) {
    // Host names are not resolved: a DNS answer must not decide what may be blocked, and the
    // addresses a server's own name points at are its interfaces' (listed above).
    Result<IpAddress> address = parse_ip_address(agents::url_host(endpoint.location));
    if (!address || address->value == 0) continue;  // a name, or a wildcard (0.0.0.0, ::)
    out.push_back(builtin(host_network(*address), endpoint.name));
  }
  return out;
}

}  // namespace sentinel::firewall
