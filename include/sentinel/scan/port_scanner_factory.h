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
#include "sentinel/scan/port_list.h"
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
  /// Caps over whichever limits apply (a scan job's max_rate and max_concurrency): see capped().
  std::optional<double> max_rate;
  std::optional<std::size_t> max_concurrency;
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

/// The scan of a port list of both protocols, chosen as the two functions above choose.
struct ChosenPortListScanner {
  /// The TCP scan then the UDP scan of the same targets, as one (a SequentialScanner), or the
  /// one of the two the list needs.
  std::unique_ptr<PortScanner> scanner;
  std::string method;  // "syn", "connect", "udp", "syn+udp" or "connect+udp"
  std::string reason;  // the reasons of the parts, joined by "; "
};

/// make_port_scanner() for `ports.tcp` and make_udp_port_scanner() for `ports.udp`, as one
/// scanner whose TCP part runs first. kInvalidArgument (field "ports") for an empty list; the
/// parts' plan errors as they are.
Result<ChosenPortListScanner> make_port_list_scanner(TargetSet targets, const PortList& ports,
                                                     const ScanScope& scope,
                                                     PortScanOptions options = {});

}  // namespace sentinel::scan
