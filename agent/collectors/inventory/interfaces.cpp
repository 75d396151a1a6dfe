// The "interfaces" section: the links of /sys/class/net and their addresses from getifaddrs.

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <map>

#include "agent/collectors/inventory/collectors.h"
#include "agent/collectors/inventory/parsers.h"
#include "agent/collectors/inventory/system_files.h"

namespace sentinel::agent::inventory {
namespace {

constexpr std::int64_t kInterfaceUp = 0x1;  // IFF_UP

// Frees the getifaddrs list on every path out.
struct AddressList {
  ifaddrs* head = nullptr;
  ~AddressList() {
    if (head != nullptr) ::freeifaddrs(head);
  }
};

int prefix_length(const sockaddr* netmask) {
  if (netmask == nullptr) return -1;
  const unsigned char* bytes = nullptr;
  std::size_t size = 0;
  if (netmask->sa_family == AF_INET) {
    bytes = reinterpret_cast<const unsigned char*>(
        &reinterpret_cast<const sockaddr_in*>(netmask)->sin_addr);
    size = 4;
  } else if (netmask->sa_family == AF_INET6) {
    bytes = reinterpret_cast<const unsigned char*>(
        &reinterpret_cast<const sockaddr_in6*>(netmask)->sin6_addr);
    size = 16;
  } else {
    return -1;
  }
  int bits = 0;
  for (std::size_t i = 0; i < size; ++i) bits += std::popcount(static_cast<unsigned>(bytes[i]));
  return bits;
}

std::string sys_value(const std::filesystem::path& path) {
  return std::string(trim(read_optional(path, 4096).value_or("")));
}

}  // namespace

Result<std::vector<InterfaceAddress>> read_interface_addresses() {
  AddressList list;
  if (::getifaddrs(&list.head) != 0) {
    return internal_error(std::string("getifaddrs: ") + std::strerror(errno));
  }
  std::vector<InterfaceAddress> addresses;
  for (const ifaddrs* entry = list.head; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_name == nullptr) continue;
    const int family = entry->ifa_addr->sa_family;
    if (family != AF_INET && family != AF_INET6) continue;
    const void* address =
        family == AF_INET ? static_cast<const void*>(
                                &reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr)
                          : static_cast<const void*>(
                                &reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr)->sin6_addr);
    char text[INET6_ADDRSTRLEN] = {};
    if (::inet_ntop(family, address, text, sizeof text) == nullptr) continue;
    const int prefix = prefix_length(entry->ifa_netmask);
    const int full = family == AF_INET ? 32 : 128;
    addresses.push_back(
        {entry->ifa_name, std::string(text) + "/" + std::to_string(prefix < 0 ? full : prefix)});
  }
  return addresses;
}

Result<boost::json::array> interfaces_from(const SystemRoots& roots,
                                           const std::vector<InterfaceAddress>& addresses) {
  std::map<std::string, std::vector<std::string>, std::less<>> by_interface;
  for (const InterfaceAddress& address : addresses) {
    by_interface[address.interface].push_back(address.cidr);
  }
  const std::filesystem::path net = roots.sys / "class" / "net";
  std::error_code error;
  std::filesystem::directory_iterator links(net, error);
  if (error) return internal_error("interfaces: " + net.string() + ": " + error.message());
  std::vector<std::string> names;
  for (const auto& link : links) names.push_back(link.path().filename().string());
  std::sort(names.begin(), names.end());

  boost::json::array items;
  for (const std::string& name : names) {
    const std::filesystem::path dir = net / name;
    // bonding_masters and the like are files, not interfaces.
    if (!std::filesystem::is_directory(dir, error)) continue;
    const std::string flags_text = sys_value(dir / "flags");  // "0x1003"
    std::string_view flags_hex = flags_text;
    if (flags_hex.starts_with("0x")) flags_hex.remove_prefix(2);
    const auto flags = parse_integer(flags_hex, 16);
    std::vector<std::string> cidrs;
    if (const auto it = by_interface.find(name); it != by_interface.end()) cidrs = it->second;
    std::sort(cidrs.begin(), cidrs.end());
    boost::json::array address_list;
    for (const std::string& cidr : cidrs) address_list.emplace_back(cidr);
    items.emplace_back(boost::json::object{
        {"name", json_safe_text(name)},
        {"mac", json_safe_text(sys_value(dir / "address"))},
        {"mtu", parse_integer(sys_value(dir / "mtu")).value_or(0)},
        {"up", (flags.value_or(0) & kInterfaceUp) != 0},
        {"addresses", std::move(address_list)},
    });
  }
  return items;
}

Result<boost::json::array> collect_interfaces(const SystemRoots& roots) {
  SENTINEL_ASSIGN(addresses, read_interface_addresses());
  return interfaces_from(roots, addresses);
}

}  // namespace sentinel::agent::inventory
