// scan_ports: our port scan engine on its own, for `make bench` (bench/scan.sh and
// bench/scan_veth.sh). Scans TARGETS x the top N ports (as nmap ranks them) inside the scope
// (loopback, or with --scope the network that bench/scan_veth.sh put in a namespace of its own),
// with the scanner the process may run (raw SYN with CAP_NET_RAW, else connect(); --method
// forces one), and prints one JSON object: the method, wall seconds, probes sent, probes per
// second, open ports found. The open (address, port) pairs go to --open-out, one "ADDRESS PORT"
// per line; the port list to --ports-out, so that the script scores every scanner against the
// same truth. With --detect-out, the services on the open ports are then identified (nmap's
// probe file when installed) and written as "ADDRESS PORT SERVICE" lines, nmap's "ssl/" prefix
// included; the JSON adds the detection's wall seconds and how many ports it named.

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "sentinel/scan/host_resolver.h"
#include "sentinel/scan/port_list.h"
#include "sentinel/scan/port_scanner_factory.h"
#include "sentinel/scan/scan_scope.h"
#include "sentinel/scan/service_detector.h"
#include "sentinel/scan/target_set.h"

int main(int argc, char** argv) {
  using namespace sentinel::scan;
  CLI::App app{"Our port scan engine on its own, timed"};
  std::string targets;
  int top = 1000;
  std::string method = "auto";
  std::string open_out;
  std::string ports_out;
  std::string detect_out;
  std::string scope_text = "127.0.0.0/8";
  app.add_option("--targets", targets, "targets inside the scope")->required();
  app.add_option("--scope", scope_text,
                 "CIDRs that may be scanned (default 127.0.0.0/8; bench/scan_veth.sh passes the "
                 "network of the namespace it created)");
  app.add_option("--top-ports", top, "the N most common TCP ports")->check(CLI::Range(1, 65535));
  app.add_option("--method", method, "auto, syn or connect")
      ->check(CLI::IsMember({"auto", "syn", "connect"}));
  app.add_option("--open-out", open_out, "file for the open pairs")->required();
  app.add_option("--ports-out", ports_out, "file for the port list");
  app.add_option("--detect-out", detect_out, "identify the open ports' services into this file");
  CLI11_PARSE(app, argc, argv);

  // Benchmarks scan loopback, or only the addresses of a namespace their script created.
  const auto scope = ScanScope::parse(scope_text, "scope");
  SystemHostResolver resolver;
  auto target_set = TargetSet::parse(targets, "", resolver);
  auto ports = top_ports(top, Protocol::kTcp);
  if (!scope || !target_set || !ports) {
    std::cerr << "scan_ports: "
              << (!scope        ? scope.error().message
                  : !target_set ? target_set.error().message
                  : ports       ? ""
                                : ports.error().message)
              << "\n";
    return 1;
  }
  PortScanOptions options;
  options.allow_raw = method != "connect";
  auto chosen = make_port_scanner(*target_set, ports->tcp, *scope, options);
  if (!chosen) {
    std::cerr << "scan_ports: " << chosen.error().message << "\n";
    return 1;
  }
  if (method == "syn" && chosen->method != ScanMethod::kTcpSyn) {
    std::cerr << "scan_ports: no SYN scan: " << chosen->reason << "\n";
    return 1;
  }
  std::ofstream open_file(open_out);
  std::uint64_t open = 0;
  std::vector<ServiceTarget> open_ports;
  const auto start = std::chrono::steady_clock::now();
  auto outcome = chosen->scanner->run([&](const PortResult& result) {
    if (result.state != PortState::kOpen) return;
    ++open;
    open_ports.push_back({result.address, result.port});
    open_file << result.address.to_string() << ' ' << result.port << '\n';
  });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!outcome) {
    std::cerr << "scan_ports: " << outcome.error().message << "\n";
    return 1;
  }
  if (!ports_out.empty()) {
    std::ofstream ports_file(ports_out);
    for (std::uint16_t port : ports->tcp) ports_file << port << '\n';
  }
  const ScanProgress progress = chosen->scanner->progress();
  boost::json::object report{
      {"method", std::string(to_string(chosen->method))},
      {"wall_seconds", seconds},
      {"probes", progress.probes_sent},
      {"probes_per_second", static_cast<double>(progress.probes_sent) / seconds},
      {"open", open}};
  if (!detect_out.empty()) {
    // The probe file is read before the clock starts, as nmap reads its own before scanning.
    auto probes = std::make_shared<const ServiceProbes>(ServiceProbes::system_or_builtin());
    auto detector = ServiceDetector::create(probes, open_ports, *scope);
    if (!detector) {
      std::cerr << "scan_ports: " << detector.error().message << "\n";
      return 1;
    }
    std::ofstream detect_file(detect_out);
    std::uint64_t named = 0;
    const auto detect_start = std::chrono::steady_clock::now();
    sentinel::Status detected = (*detector)->run([&](const ServiceResult& result) {
      if (!result.port.service) return;
      ++named;
      detect_file << result.address.to_string() << ' ' << result.port.port << ' '
                  << (result.port.tunnel.empty() ? "" : result.port.tunnel + "/")
                  << result.port.service->service << '\n';
    });
    if (!detected) {
      std::cerr << "scan_ports: " << detected.error().message << "\n";
      return 1;
    }
    report["detect_wall_seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - detect_start).count();
    report["services_named"] = named;
  }
  std::cout << boost::json::serialize(report) << "\n";
  return 0;
}
