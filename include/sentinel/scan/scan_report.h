#pragma once
// What a scan found, as plain values: hosts, their ports and the services on them. Our engine,
// the nmap backend and an imported nmap XML file all end up in this one model.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/scan/ip_address.h"
#include "sentinel/scan/port_list.h"
#include "sentinel/scan/port_scanner.h"
#include "sentinel/scan/service_probes.h"

namespace sentinel::scan {

/// One port of a host.
struct PortReport {
  std::uint16_t port = 0;
  Protocol protocol = Protocol::kTcp;
  PortState state = PortState::kFiltered;
  std::string reason;                  // "syn-ack", "conn-refused", "open|filtered", ...
  std::optional<ServiceInfo> service;  // when service detection named it
  std::string tunnel;                  // "ssl" when the service speaks inside TLS
};

/// One host and what was found on it.
struct HostReport {
  IpAddress address;
  bool up = true;
  std::string reason;  // why it counts as up or down: "echo-reply", "syn-ack", "no-response"
  std::vector<std::string> hostnames;
  std::vector<PortReport> ports;
  std::string os;  // the best operating system guess, when one was made
};

/// A whole scan. Times are Unix milliseconds; 0 when unknown.
struct ScanReport {
  std::string scanner;  // "sentinel", "nmap 7.93"
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::vector<HostReport> hosts;
};

}  // namespace sentinel::scan
