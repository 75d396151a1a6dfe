// The scanner's service detection: the engine's scan::ServiceDetector behind the job seam.

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>
#include <tuple>
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
                const std::atomic<bool>& cancelled,
                std::optional<std::size_t> max_concurrency) override {
    std::map<std::tuple<scan::IpAddress, std::uint16_t, scan::Protocol>, FoundPort*> by_target;
    std::vector<scan::ServiceTarget> targets;
    for (FoundHost& host : hosts) {
      for (FoundPort& port : host.ports) {
        // Open TCP ports, and UDP ports open or open|filtered (silence may hide a service
        // that answers only a request it understands).
        const bool probed =
            port.state == scan::PortState::kOpen ||
            (port.protocol == scan::Protocol::kUdp && port.state == scan::PortState::kOpenFiltered);
        if (!probed) continue;
        by_target[{host.address, port.port, port.protocol}] = &port;
        targets.push_back({host.address, port.port, port.protocol, port.state});
      }
    }
    if (targets.empty()) return ok();
    scan::ServiceDetectionOptions options = options_;
    if (max_concurrency) {
      options.max_concurrency = std::min(options.max_concurrency, *max_concurrency);
    }
    SENTINEL_ASSIGN(detector,
                    scan::ServiceDetector::create(probes_, std::move(targets), scope, options));
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
      const auto found = by_target.find({result.address, result.port.port, result.port.protocol});
      if (found == by_target.end()) return;
      FoundPort& port = *found->second;
      port.state = result.port.state;  // a UDP port that answered a probe is open
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
