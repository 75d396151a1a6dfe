#include "agent/scan/shard_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <vector>

#include "sentinel/scan/host_discovery.h"
#include "sentinel/scan/mac_address.h"
#include "sentinel/scan/port_list.h"
#include "sentinel/scan/port_scanner_factory.h"
#include "sentinel/scan/scan_scope.h"

namespace sentinel::agent {
namespace {

std::uint64_t random_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

class InProcessExecution final : public ShardExecution {
 public:
  /// `discovery` null: every target is port-scanned with `chosen`. Else discovery runs first
  /// and the port scan is made again over the hosts it found up (with `ports` and `options`).
  InProcessExecution(scan::ChosenPortListScanner chosen,
                     std::unique_ptr<scan::HostDiscovery> discovery, std::uint64_t address_count,
                     scan::PortList ports, scan::PortScanOptions options, scan::ScanScope scope,
                     std::shared_ptr<const scan::ServiceProbes> probes,
                     scan::ServiceDetectionOptions detection)
      : scanner_(std::move(chosen.scanner)),
        method_(std::move(chosen.method)),
        reason_(std::move(chosen.reason)),
        discovery_(std::move(discovery)),
        pairs_total_(address_count * ports.size()),
        ports_(std::move(ports)),
        options_(options),
        scope_(std::move(scope)),
        probes_(std::move(probes)),
        detection_(detection) {
    if (discovery_) phase_ = "discovery";
  }

  const std::string& method() const override { return method_; }
  const std::string& reason() const override { return reason_; }

  ShardCounters progress() const override {
    std::lock_guard lock(mutex_);
    ShardCounters counters{.phase = phase_};
    if (scanner_ != nullptr) counters.scan = scanner_->progress();
    if (!discovery_) return counters;
    const scan::DiscoveryProgress found = discovery_->progress();
    counters.scan.probes_sent += found.probes_sent;
    // Once discovery is done the pairs are the port scan's, hosts up x ports (none when no host
    // is up), as a job of the server's own engine counts them.
    if (phase_ != "discovery") return counters;
    // Until then in pairs of the whole shard, the hosts found down done with all their ports:
    // the server counts them as hosts done (and no pair as done, as for its own jobs).
    const std::uint64_t down = found.hosts_done - std::min(found.hosts_done, found.hosts_up);
    counters.scan.pairs_total = pairs_total_;
    counters.scan.pairs_done = std::min(pairs_total_, down * ports_.size());
    return counters;
  }

  void cancel() override {
    cancelled_ = true;
    if (discovery_) discovery_->cancel();
    std::lock_guard lock(mutex_);
    if (scanner_ != nullptr) scanner_->cancel();
    if (detector_ != nullptr) detector_->cancel();
  }

  Result<scan::ScanOutcome> run(const ShardSink& sink) override {
    if (discovery_) {
      {
        // The scanner made over every target only chose the method; the hosts up get their own.
        std::lock_guard lock(mutex_);
        scanner_.reset();
      }
      SENTINEL_ASSIGN(up, discover(sink));
      if (cancelled_) return scan::ScanOutcome::kCancelled;
      if (up.empty()) {
        // The port scan of no host: no pair left, every address done.
        std::lock_guard lock(mutex_);
        phase_ = "ports";
        return scan::ScanOutcome::kCompleted;
      }
      auto chosen = scan::make_port_list_scanner(std::move(up), ports_, scope_, options_);
      if (!chosen) return internal_error("the scan could not start: " + chosen.error().message);
      // The scanner and the phase change together: progress() never counts the hosts up
      // before it can say how many they are.
      std::lock_guard lock(mutex_);
      scanner_ = std::move(chosen->scanner);
      phase_ = "ports";
      if (cancelled_) scanner_->cancel();
    }
    // Open ports, and UDP ports that stayed silent (a probe may make them answer), as on the
    // server (src/scanner/engine_service_detector.cpp).
    std::vector<scan::ServiceTarget> open;
    Result<scan::ScanOutcome> outcome = scanner_->run([&](const scan::PortResult& result) {
      if (probes_ && (result.state == scan::PortState::kOpen ||
                      (result.protocol == scan::Protocol::kUdp &&
                       result.state == scan::PortState::kOpenFiltered))) {
        open.push_back({result.address, result.port, result.protocol, result.state});
      }
      sink.on_result(result);
    });
    if (!outcome) return internal_error("the scan engine failed: " + outcome.error().message);
    if (*outcome == scan::ScanOutcome::kCancelled || cancelled_) {
      return scan::ScanOutcome::kCancelled;
    }
    if (probes_ && !open.empty()) detect(std::move(open), sink);
    return cancelled_ ? scan::ScanOutcome::kCancelled : scan::ScanOutcome::kCompleted;
  }

 private:
  // Host discovery over the shard's targets: each host up goes to the sink as it is found.
  // Returns the hosts up, as the port scan's targets.
  Result<scan::TargetSet> discover(const ShardSink& sink) {
    std::vector<scan::AddressRange> up;
    Result<scan::ScanOutcome> outcome = discovery_->run([&](const scan::HostResult& result) {
      if (result.state != scan::HostState::kUp) {
        if (sink.on_progress) sink.on_progress();
        return;
      }
      up.push_back(scan::AddressRange::single(result.address));
      scanner::FoundHost host{.address = result.address, .reason = std::string(result.reason)};
      if (result.mac) host.mac = scan::mac_to_string(*result.mac);
      sink.on_host(host);
    });
    if (!outcome) return internal_error("host discovery failed: " + outcome.error().message);
    return scan::TargetSet::from_ranges(std::move(up));
  }

  // A failed detection fails nothing but the services: the ports stand.
  void detect(std::vector<scan::ServiceTarget> open, const ShardSink& sink) {
    auto detector = scan::ServiceDetector::create(probes_, std::move(open), scope_, detection_);
    if (!detector) {
      sink.on_warning("service detection not run: " + detector.error().message);
      return;
    }
    {
      std::lock_guard lock(mutex_);
      detector_ = detector->get();
      phase_ = "services";
      if (cancelled_) detector_->cancel();
    }
    Status ran = (*detector)->run([&sink](const scan::ServiceResult& result) {
      // A UDP port that answered is open even when nothing named it.
      const bool answered = result.port.protocol == scan::Protocol::kUdp &&
                            result.port.state == scan::PortState::kOpen;
      if (!result.port.service && !result.port.tls && !answered) return;
      sink.on_service(result.address, scanner::FoundPort{.port = result.port.port,
                                                         .protocol = result.port.protocol,
                                                         .state = result.port.state,
                                                         .service = result.port.service,
                                                         .tunnel = result.port.tunnel,
                                                         .tls = result.port.tls});
    });
    {
      std::lock_guard lock(mutex_);
      detector_ = nullptr;
    }
    if (!ran) sink.on_warning("service detection failed: " + ran.error().message);
  }

  std::unique_ptr<scan::PortScanner> scanner_;  // null while discovery runs
  std::string method_;
  std::string reason_;
  std::unique_ptr<scan::HostDiscovery> discovery_;  // null: every target is port-scanned
  std::uint64_t pairs_total_;                       // addresses x ports, while discovery runs
  scan::PortList ports_;
  scan::PortScanOptions options_;
  scan::ScanScope scope_;
  std::shared_ptr<const scan::ServiceProbes> probes_;  // null: no detection
  scan::ServiceDetectionOptions detection_;
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mutex_;  // guards scanner_ (its replacement), detector_, phase_
  scan::ServiceDetector* detector_ = nullptr;  // while detection runs
  std::string phase_ = "ports";
};

}  // namespace

InProcessShardEngine::InProcessShardEngine(ShardEngineOptions options)
    : options_(std::move(options)) {}

std::shared_ptr<const scan::ServiceProbes> InProcessShardEngine::probes() {
  std::lock_guard lock(mutex_);
  if (!options_.probes) {
    options_.probes =
        std::make_shared<const scan::ServiceProbes>(scan::ServiceProbes::system_or_builtin());
  }
  return options_.probes;
}

Result<std::unique_ptr<ShardExecution>> InProcessShardEngine::prepare(
    const scanner::ShardStart& start) {
  SENTINEL_ASSIGN(scope, scan::ScanScope::parse(start.scope, "scope"));
  SENTINEL_ASSIGN(targets, scanner::parse_shard_targets(start.targets));
  if (const auto outside = scope.outside(targets); !outside.empty()) {
    return permission_denied(fmt::format("targets outside the scope sent ({}): {}{}", start.scope,
                                         outside.front().to_string(),
                                         outside.size() > 1 ? " and more" : ""));
  }
  SENTINEL_ASSIGN(ports, scan::PortList::parse(start.ports, scan::Protocol::kTcp, "ports"));
  // The job's caps over every phase (this agent's share of the job's rate).
  std::optional<std::size_t> concurrency;
  if (start.max_concurrency) concurrency = static_cast<std::size_t>(*start.max_concurrency);
  scan::PortScanOptions scan_options;
  scan_options.allow_raw = start.raw;
  scan_options.seed = random_seed();
  scan_options.max_rate = start.max_rate;
  scan_options.max_concurrency = concurrency;
  const std::uint64_t address_count = targets.size();
  std::unique_ptr<scan::HostDiscovery> discovery;
  if (start.discovery) {
    // The probes and their fallback without raw sockets are the server's (scan_run.cpp).
    scan::DiscoveryOptions discovery_options;
    discovery_options.allow_raw = start.raw;
    discovery_options.seed = random_seed();
    discovery_options.limits = scan::capped(discovery_options.limits, start.max_rate, concurrency);
    SENTINEL_ASSIGN(created, scan::HostDiscovery::create(targets, scope, discovery_options));
    discovery = std::move(created);
  }
  // TCP ports first, then UDP ports, as one scan (with discovery: checks the plan and names the
  // method; the hosts found up get a scan of their own).
  SENTINEL_ASSIGN(chosen,
                  scan::make_port_list_scanner(std::move(targets), ports, scope, scan_options));
  std::shared_ptr<const scan::ServiceProbes> detection_probes;
  if (start.service_detection) detection_probes = probes();
  scan::ServiceDetectionOptions detection = options_.detection;
  if (concurrency) detection.max_concurrency = std::min(detection.max_concurrency, *concurrency);
  return std::unique_ptr<ShardExecution>(std::make_unique<InProcessExecution>(
      std::move(chosen), std::move(discovery), address_count, std::move(ports), scan_options,
      std::move(scope), std::move(detection_probes), detection));
}

}  // namespace sentinel::agent
