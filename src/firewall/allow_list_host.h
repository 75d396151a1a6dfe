#pragma once
// The built-in allow-list entries: loopback, link-local, the host's interface addresses and the
// addresses the server listens on.

#include <vector>

#include "sentinel/firewall/allow_list.h"

namespace sentinel::firewall {

/// The addresses of the host's interfaces now (getifaddrs), loopback and link-local included; an
/// interface that cannot be read is skipped (logged). Thread-safe.
std::vector<IpAddress> host_interface_addresses();

/// 127.0.0.0/8 and ::1, 169.254.0.0/16 and fe80::/10, then (when `options.host_interfaces`)
/// every other address of the host's interfaces, then each endpoint whose host is an IP literal
/// other than a wildcard. Reads the
/// interfaces now (getifaddrs); an interface that cannot be read is skipped. Thread-safe.
std::vector<AllowListEntry> builtin_allow_list(const AllowListOptions& options);

}  // namespace sentinel::firewall
