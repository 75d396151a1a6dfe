// Imports arbitrary bytes as an nmap XML report: the answer is a report or an invalid-argument
// error, never a crash; what a report holds keeps the model's invariants.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sentinel/scan/nmap_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sentinel::scan;
  NmapXmlLimits limits;
  limits.max_hosts = 64;
  limits.max_ports = 256;
  const auto report =
      parse_nmap_xml(std::string_view(reinterpret_cast<const char*>(data), size), limits);
  if (!report) {
    if (report.error().code != sentinel::ErrorCode::kInvalidArgument) std::abort();
    if (report.error().message.empty()) std::abort();
    return 0;
  }
  if (report->hosts.size() > limits.max_hosts) std::abort();
  for (const HostReport& host : report->hosts) {
    for (const PortReport& port : host.ports) {
      if (port.port == 0) std::abort();
      if (port.service && port.service->cpes.size() > size) std::abort();
    }
  }
  return 0;
}
