// The scanner's service detection: the engine's scan::ServiceDetector behind the job seam.

#include <chrono>
#include <map>
#include <thread>
#include <utility>

#include "sentinel/scan/scan_scope.h"
#include "sentinel/scan/service_detector.h"
#include "sentinel/scanner/service_detector.h"

namespace sentinel::scanner {
namespace {

// How often a running detection looks at the job's cancel flag; a cancel is noticed within it.
constexpr std::chrono::milliseconds kCancelPoll{50};

class EngineServiceDetector final : public ServiceDetector {
 public:
  EngineServiceDetector(std::shared_ptr<const scan::ServiceProbes> probes,
                        scan::ServiceDetectionOptions options)
      : probes_(std::move(probes)), options_(options) {}

  Status detect(std::vector<FoundHost>& hosts, const scan::ScanScope& scope,
                const std::atomic<bool>& cancelled) override {
    std::map<std::pair<scan::IpAddress, std::uint16_t>, FoundPort*> by_target;
    std::vector<scan::ServiceTarget> targets;
    for (FoundHost& host : hosts) {
      for (FoundPort& port : host.ports) {
        // The engine probes open TCP ports only; UDP ports keep what the scan found.
        if (port.protocol != scan::Protocol::kTcp || port.state != scan::PortState::kOpen) {
          continue;
        }
        by_target[{host.address, port.port}] = &port;
        targets.push_back({host.address, port.port});
      }
    }
    if (targets.empty()) return ok();
    SENTINEL_ASSIGN(detector,
                    scan::ServiceDetector::create(probes_, std::move(targets), scope, options_));
    // The engine's run() blocks; the job's flag is watched beside it and turned into cancel().
    std::atomic<bool> finished{false};
    std::jthread watcher([&] {
      while (!finished.load()) {
        if (cancelled.load()) {
          detector->cancel();
          return;
        }
        std::this_thread::sleep_for(kCancelPoll);
      }
    });
    Status ran = detector->run([&](const scan::ServiceResult& result) {
      const auto found = by_target.find({result.address, result.port.port});
      if (found == by_target.end()) return;
      FoundPort& port = *found->second;
      if (result.port.service) port.service = result.port.service;
      if (!result.port.tunnel.empty()) port.tunnel = result.port.tunnel;
      if (result.port.tls) port.tls = result.port.tls;
    });
    finished = true;
    return ran;
  }

 private:
  std::shared_ptr<const scan::ServiceProbes> probes_;
  scan::ServiceDetectionOptions options_;
};

}  // namespace

std::unique_ptr<ServiceDetector> make_engine_service_detector(
    std::shared_ptr<const scan::ServiceProbes> probes, scan::ServiceDetectionOptions options) {
  return std::make_unique<EngineServiceDetector>(std::move(probes), options);
}

}  // namespace sentinel::scanner
