#include "sentinel/scan/syn_scanner.h"

#include <utility>

#include "port_scan_checks.h"
#include "raw_probe_loop.h"

namespace sentinel::scan {
namespace {

PortState port_state(ProbeAnswer answer) {
  switch (answer) {
    case ProbeAnswer::kSynAck:
      return PortState::kOpen;
    case ProbeAnswer::kReset:
      return PortState::kClosed;
    default:
      // ICMP unreachable, silence, or no route: nothing can be reached there.
      return PortState::kFiltered;
  }
}

}  // namespace

Result<std::unique_ptr<SynScanner>> SynScanner::create(TargetSet targets,
                                                       std::vector<std::uint16_t> tcp_ports,
                                                       const ScanScope& scope,
                                                       SynScanOptions options) {
  SENTINEL_TRY(check_scan_plan(targets, scope, options.limits));
  SENTINEL_TRY(check_port_list(targets, tcp_ports));
  std::vector<ProbeSpec> probes;
  probes.reserve(tcp_ports.size());
  for (const std::uint16_t port : tcp_ports) probes.push_back({ProbeKind::kTcpSyn, port});
  SENTINEL_ASSIGN(loop, RawProbeLoop::create(std::move(targets), std::move(probes), options.limits,
                                             options.seed));
  return std::unique_ptr<SynScanner>(new SynScanner(std::move(loop), std::move(tcp_ports)));
}

SynScanner::SynScanner(std::unique_ptr<RawProbeLoop> loop, std::vector<std::uint16_t> ports)
    : loop_(std::move(loop)), ports_(std::move(ports)) {}

SynScanner::~SynScanner() = default;

Result<ScanOutcome> SynScanner::run(const PortResultHandler& on_result) {
  return loop_->run([&](const ProbeOutcome& outcome) {
    const PortState state = port_state(outcome.answer);
    if (state == PortState::kOpen) open_found_.fetch_add(1, std::memory_order_relaxed);
    const bool answered = state != PortState::kFiltered;
    on_result(PortResult{outcome.host, ports_[outcome.probe], Protocol::kTcp, state,
                         answered ? outcome.rtt : Duration{0}, outcome.attempts});
  });
}

void SynScanner::cancel() { loop_->cancel(); }

ScanProgress SynScanner::progress() const {
  ScanProgress progress;
  progress.pairs_total = loop_->pairs_total();
  progress.pairs_done = loop_->pairs_done();
  progress.probes_sent = loop_->probes_sent();
  progress.open_found = open_found_.load();
  progress.probes_per_second = loop_->probes_per_second();
  return progress;
}

}  // namespace sentinel::scan
