#include "sentinel/scan/mac_address.h"

#include <fmt/format.h>

#include "sentinel/common/text.h"

namespace sentinel::scan {

std::string mac_to_string(const MacAddress& mac) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", mac[0], mac[1], mac[2], mac[3],
                     mac[4], mac[5]);
}

std::optional<MacAddress> parse_mac(std::string_view text) {
  constexpr std::size_t kLength = 17;  // "xx:xx:xx:xx:xx:xx"
  if (text.size() != kLength) return std::nullopt;
  MacAddress mac{};
  for (std::size_t i = 0; i < mac.size(); ++i) {
    const std::size_t at = i * 3;
    const auto high = hex_digit_value(text[at]);
    const auto low = hex_digit_value(text[at + 1]);
    if (!high || !low || (i + 1 < mac.size() && text[at + 2] != ':')) return std::nullopt;
    mac[i] = static_cast<std::uint8_t>(*high << 4 | *low);
  }
  return mac;
}

}  // namespace sentinel::scan
