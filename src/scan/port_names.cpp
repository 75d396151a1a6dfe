#include "sentinel/scan/port_names.h"

#include "nmap_data_file.h"
#include "nmap_services.h"

namespace sentinel::scan {
namespace {

std::uint32_t key_of(Protocol protocol, std::uint16_t port) {
  return static_cast<std::uint32_t>(protocol) << 16 | port;
}

}  // namespace

PortNames PortNames::parse(std::string_view text) {
  PortNames names;
  for (const Protocol protocol : {Protocol::kTcp, Protocol::kUdp}) {
    for (const NmapServiceEntry& entry : parse_nmap_services(text, protocol)) {
      if (entry.service == "unknown") continue;
      auto [slot, added] = names.names_.try_emplace(key_of(protocol, entry.port));
      Named& named = slot->second;
      // Ties go to the name first in byte order: the lines' order does not matter.
      if (added || entry.frequency > named.frequency ||
          (entry.frequency == named.frequency && entry.service < named.name)) {
        named = {std::string(entry.service), entry.frequency};
      }
    }
  }
  return names;
}

PortNames PortNames::load(const std::filesystem::path& services_file) {
  const Result<std::string> text =
      read_nmap_data_file(services_file.string(), kMaxNmapServicesBytes);
  return text ? parse(*text) : PortNames();
}

std::string_view PortNames::name(Protocol protocol, std::uint16_t port) const {
  const auto found = names_.find(key_of(protocol, port));
  return found == names_.end() ? std::string_view() : std::string_view(found->second.name);
}

}  // namespace sentinel::scan
