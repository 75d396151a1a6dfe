#include "agent/scan/shard_engine.h"

#include <fmt/format.h>

#include <atomic>
#include <random>
#include <vector>

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
  InProcessExecution(scan::ChosenPortListScanner chosen, scan::ScanScope scope,
                     std::shared_ptr<const scan::ServiceProbes> probes,
                     scan::ServiceDetectionOptions detection)
      : scanner_(std::move(chosen.scanner)),
        method_(std::move(chosen.method)),
        reason_(std::move(chosen.reason)),
        scope_(std::move(scope)),
        probes_(std::move(probes)),
        detection_(detection) {}

  const std::string& method() const override { return method_; }
  const std::string& reason() const override { return reason_; }
  scan::ScanProgress progress() const override { return scanner_->progress(); }

  void cancel() override {
    cancelled_ = true;
    scanner_->cancel();
    std::lock_guard lock(mutex_);
    if (detector_ != nullptr) detector_->cancel();
  }

  Result<scan::ScanOutcome> run(const ShardSink& sink) override {
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

  std::unique_ptr<scan::PortScanner> scanner_;
  std::string method_;
  std::string reason_;
  scan::ScanScope scope_;
  std::shared_ptr<const scan::ServiceProbes> probes_;  // null: no detection
  scan::ServiceDetectionOptions detection_;
  std::atomic<bool> cancelled_{false};
  std::mutex mutex_;                           // guards detector_
  scan::ServiceDetector* detector_ = nullptr;  // while detection runs
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
  scan::PortScanOptions scan_options;
  scan_options.allow_raw = start.raw;
  scan_options.seed = random_seed();
  // TCP ports first, then UDP ports, as one scan.
  SENTINEL_ASSIGN(chosen,
                  scan::make_port_list_scanner(std::move(targets), ports, scope, scan_options));
  std::shared_ptr<const scan::ServiceProbes> detection_probes;
  if (start.service_detection) detection_probes = probes();
  return std::unique_ptr<ShardExecution>(std::make_unique<InProcessExecution>(
      std::move(chosen), std::move(scope), std::move(detection_probes), options_.detection));
}

}  // namespace sentinel::agent
