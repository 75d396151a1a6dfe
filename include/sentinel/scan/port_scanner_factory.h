#pragma once
// Picks the port scanner the process can run: raw SYN when it may open raw sockets, connect()
// otherwise.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/port_scanner.h"
#include "sentinel/scan/scan_scope.h"
#include "sentinel/scan/target_set.h"
#include "sentinel/scan/udp_payloads.h"

namespace sentinel::scan {

/// How a port scan probes.
enum class ScanMethod : std::uint8_t {
  kTcpSyn,      // raw SYN probes (CAP_NET_RAW)
  kTcpConnect,  // full connect() per probe, unprivileged
  kUdp,         // a connected UDP socket per probe with a protocol payload, unprivileged
};

/// "syn", "connect" or "udp".
std::string_view to_string(ScanMethod method);

/// Options for make_port_scanner().
struct PortScanOptions {
  /// Caps and timing; empty means each method's defaults (the SYN scanner allows more probes
  /// in flight, since they cost no socket).
  std::optional<ScanLimits> limits;
  std::uint64_t seed = 0;
  /// False forces the connect() scanner even where raw sockets are available.
  bool allow_raw = true;
  /// UDP scans: what each port's probes carry; null means nmap's file when installed, else
  /// the built-in set.
  std::shared_ptr<const UdpPayloads> udp_payloads;
};

/// The scanner chosen, the method, and why (for logs and the job's record).
struct ChosenPortScanner {
  std::unique_ptr<PortScanner> scanner;
  ScanMethod method = ScanMethod::kTcpConnect;
  std::string reason;
};

/// A SynScanner when allowed and the process has CAP_NET_RAW, else a ConnectScanner. Errors of
/// the plan (scope, ports, limits) are returned as they are, never fallen back from.
Result<ChosenPortScanner> make_port_scanner(TargetSet targets, std::vector<std::uint16_t> tcp_ports,
                                            const ScanScope& scope, PortScanOptions options = {});

/// A UdpScanner for `udp_ports` (UDP has one method, and it needs no privileges); the reason
/// names where the payloads came from. Errors of the plan are returned as they are.
Result<ChosenPortScanner> make_udp_port_scanner(TargetSet targets,
                                                std::vector<std::uint16_t> udp_ports,
                                                const ScanScope& scope,
                                                PortScanOptions options = {});

}  // namespace sentinel::scan
