#include "sentinel/scan/host_resolver.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <memory>

namespace sentinel::scan {

Result<std::vector<IpAddress>> SystemHostResolver::resolve(const std::string& name) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  // One entry per address rather than one per socket type.
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const int rc = getaddrinfo(name.c_str(), nullptr, &hints, &list);
  if (rc == EAI_NONAME || rc == EAI_NODATA) return not_found("host name does not resolve");
  if (rc != 0) return unavailable(std::string("host name lookup failed: ") + gai_strerror(rc));
  const std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(list, &freeaddrinfo);

  std::vector<IpAddress> addresses;
  for (const addrinfo* entry = list; entry != nullptr; entry = entry->ai_next) {
    if (entry->ai_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(entry->ai_addr);
      addresses.push_back(IpAddress::v4(ntohl(in->sin_addr.s_addr)));
    } else if (entry->ai_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(entry->ai_addr);
      addresses.push_back(IpAddress::v6_bytes(in6->sin6_addr.s6_addr));
    }
  }
  std::sort(addresses.begin(), addresses.end());
  addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
  if (addresses.empty()) return not_found("host name has no IPv4 or IPv6 address");
  return addresses;
}

}  // namespace sentinel::scan
