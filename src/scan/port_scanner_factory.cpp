#include "sentinel/scan/port_scanner_factory.h"

#include <fmt/format.h>

#include <utility>

#include "raw_probe_loop.h"
#include "sentinel/scan/connect_scanner.h"
#include "sentinel/scan/sequential_scanner.h"
#include "sentinel/scan/syn_scanner.h"
#include "sentinel/scan/udp_scanner.h"

namespace sentinel::scan {

std::string_view to_string(ScanMethod method) {
  switch (method) {
    case ScanMethod::kTcpSyn:
      return "syn";
    case ScanMethod::kTcpConnect:
      return "connect";
    case ScanMethod::kUdp:
      return "udp";
  }
  return "connect";
}

Result<ChosenPortScanner> make_port_scanner(TargetSet targets, std::vector<std::uint16_t> tcp_ports,
                                            const ScanScope& scope, PortScanOptions options) {
  std::string why_not_raw = "raw sockets not allowed by the options";
  if (options.allow_raw) {
    SynScanOptions syn;
    if (options.limits) syn.limits = *options.limits;
    syn.limits = capped(syn.limits, options.max_rate, options.max_concurrency);
    syn.seed = options.seed;
    auto scanner = SynScanner::create(targets, tcp_ports, scope, syn);
    if (scanner) {
      return ChosenPortScanner{std::move(*scanner), ScanMethod::kTcpSyn,
                               "raw sockets available: SYN scan"};
    }
    if (scanner.error().reason != kRawSocketsUnavailable) return std::move(scanner).error();
    why_not_raw = scanner.error().message;
  }
  ConnectScanOptions connect;
  if (options.limits) connect.limits = *options.limits;
  connect.limits = capped(connect.limits, options.max_rate, options.max_concurrency);
  connect.seed = options.seed;
  SENTINEL_ASSIGN(scanner,
                  ConnectScanner::create(std::move(targets), std::move(tcp_ports), scope, connect));
  return ChosenPortScanner{std::move(scanner), ScanMethod::kTcpConnect,
                           "connect() scan: " + why_not_raw};
}

Result<ChosenPortScanner> make_udp_port_scanner(TargetSet targets,
                                                std::vector<std::uint16_t> udp_ports,
                                                const ScanScope& scope, PortScanOptions options) {
  UdpScanOptions udp;
  if (options.limits) udp.limits = *options.limits;
  udp.limits = capped(udp.limits, options.max_rate, options.max_concurrency);
  udp.seed = options.seed;
  udp.payloads = std::move(options.udp_payloads);
  SENTINEL_ASSIGN(scanner,
                  UdpScanner::create(std::move(targets), std::move(udp_ports), scope, udp));
  std::string reason = fmt::format("UDP scan: payloads from {}", scanner->payload_origin());
  return ChosenPortScanner{std::move(scanner), ScanMethod::kUdp, std::move(reason)};
}

Result<ChosenPortListScanner> make_port_list_scanner(TargetSet targets, const PortList& ports,
                                                     const ScanScope& scope,
                                                     PortScanOptions options) {
  if (ports.empty()) return invalid_argument("ports: no port to scan", "ports");
  std::vector<std::unique_ptr<PortScanner>> parts;
  std::vector<std::string> methods;
  std::vector<std::string> reasons;
  if (!ports.tcp.empty()) {
    SENTINEL_ASSIGN(tcp, make_port_scanner(targets, ports.tcp, scope, options));
    parts.push_back(std::move(tcp.scanner));
    methods.emplace_back(to_string(tcp.method));
    reasons.push_back(std::move(tcp.reason));
  }
  if (!ports.udp.empty()) {
    SENTINEL_ASSIGN(udp, make_udp_port_scanner(std::move(targets), ports.udp, scope, options));
    parts.push_back(std::move(udp.scanner));
    methods.emplace_back(to_string(udp.method));
    reasons.push_back(std::move(udp.reason));
  }
  std::unique_ptr<PortScanner> scanner =
      parts.size() == 1 ? std::move(parts.front())
                        : std::make_unique<SequentialScanner>(std::move(parts));
  return ChosenPortListScanner{std::move(scanner), fmt::format("{}", fmt::join(methods, "+")),
                               fmt::format("{}", fmt::join(reasons, "; "))};
}

}  // namespace sentinel::scan
