#pragma once
// Reading nmap's XML output (`nmap -oX`) into a ScanReport: for the nmap backend and for
// importing a file a user uploads. Untrusted input: strict, size-capped, streaming (expat).

#include <cstddef>
#include <string_view>

#include "sentinel/common/result.h"
#include "sentinel/scan/scan_report.h"

namespace sentinel::scan {

/// Caps on what one document may hold; past any of them the import fails as a whole.
struct NmapXmlLimits {
  std::size_t max_bytes = 64 << 20;
  std::size_t max_hosts = 1 << 20;
  std::size_t max_ports = 4 << 20;        // over all hosts
  std::size_t max_depth = 32;             // element nesting
  std::size_t max_text = 4096;            // one CPE or attribute value
  std::size_t max_script_output = 16384;  // one script's output; longer is cut, not refused
  std::size_t max_scripts = 1 << 16;      // script outputs over all hosts and ports
};

/// The hosts, ports, services, OS guesses and script outputs of an nmap XML report. Hosts without
/// an IPv4 or IPv6 address and ports of protocols other than TCP and UDP are left out.
/// kInvalidArgument, naming the line and column, for malformed XML, a document that is not an nmap
/// report, a bad address or port number, or a document over `limits`; nothing partial is returned.
Result<ScanReport> parse_nmap_xml(std::string_view xml, const NmapXmlLimits& limits = {});

}  // namespace sentinel::scan
