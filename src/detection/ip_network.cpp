#include "ip_network.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace sentinel::detection {

std::optional<IpAddress> parse_ip_address(std::string_view text) {
  // inet_pton needs a terminated string; addresses are short, so a stack buffer does.
  char buffer[64];
  if (text.empty() || text.size() >= sizeof buffer) return std::nullopt;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  IpAddress address;
  if (inet_pton(AF_INET, buffer, address.bytes.data()) == 1) {
    address.v4 = true;
    return address;
  }
  if (inet_pton(AF_INET6, buffer, address.bytes.data()) != 1) return std::nullopt;
  static constexpr std::uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(address.bytes.data(), kMappedPrefix, sizeof kMappedPrefix) == 0) {
    std::memmove(address.bytes.data(), address.bytes.data() + 12, 4);
    std::memset(address.bytes.data() + 4, 0, 12);
    address.v4 = true;
  }
  return address;
}

std::optional<IpNetwork> parse_ip_network(std::string_view text) {
  const std::size_t slash = text.find('/');
  const auto address = parse_ip_address(text.substr(0, slash));
  if (!address) return std::nullopt;
  IpNetwork network{*address, address->v4 ? 32 : 128};
  if (slash == std::string_view::npos) return network;
  const std::string_view bits = text.substr(slash + 1);
  int prefix = -1;
  const auto [end, error] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
  if (bits.empty() || error != std::errc() || end != bits.data() + bits.size() || prefix < 0 ||
      prefix > network.prefix) {
    return std::nullopt;
  }
  network.prefix = prefix;
  return network;
}

bool network_contains(const IpNetwork& network, const IpAddress& address) {
  if (network.address.v4 != address.v4) return false;
  const int whole = network.prefix / 8;
  if (std::memcmp(network.address.bytes.data(), address.bytes.data(), whole) != 0) return false;
  const int rest = network.prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (network.address.bytes[whole] & mask) == (address.bytes[whole] & mask);
}

}  // namespace sentinel::detection
