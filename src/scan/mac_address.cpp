#include "sentinel/scan/mac_address.h"

#include <fmt/format.h>

namespace sentinel::scan {

std::string mac_to_string(const MacAddress& mac) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", mac[0], mac[1], mac[2], mac[3],
                     mac[4], mac[5]);
}

}  // namespace sentinel::scan
