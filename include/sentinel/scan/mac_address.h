#pragma once
// Ethernet (EUI-48) link-layer addresses, as ARP and NDP discovery report them.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel::scan {

/// Six bytes in wire order. A plain value.
using MacAddress = std::array<std::uint8_t, 6>;

/// "02:00:5e:10:00:01": lower-case hex, colon-separated.
std::string mac_to_string(const MacAddress& mac);

/// Six colon-separated hex pairs in either case ("02:42:AC:11:00:02", as nmap writes them);
/// nullopt for anything else.
std::optional<MacAddress> parse_mac(std::string_view text);

}  // namespace sentinel::scan
