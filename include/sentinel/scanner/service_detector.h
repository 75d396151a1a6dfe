#pragma once
// The seam for service and version detection (ADR 0005, "Service and version detection"): a job
// calls it after its port scan, on the open ports it found. The server registers the engine's
// (make_engine_service_detector) unless `scanner.service_detection` is false.

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/scan_scope.h"
#include "sentinel/scan/service_detector.h"
#include "sentinel/scan/service_probes.h"
#include "sentinel/scanner/scan_job.h"

namespace sentinel::scanner {

/// Names the services on open ports (banners, probes, TLS). Called from a job's worker thread,
/// one job at a time per call; implementations used by several workers must be thread-safe.
class ServiceDetector {
 public:
  virtual ~ServiceDetector() = default;
  /// Sets `service` (and `tunnel`) of the ports of `hosts` it can name and leaves the others
  /// alone, probing only addresses inside `scope` (the job's: the scopes current when it
  /// began). Returns soon after `cancelled` turns true.
  /// An Error fails nothing but the detection: the job completes with its ports.
  /// `max_concurrency`, when set (the job's cap), bounds the ports probed at once below the
  /// detector's own limit.
  virtual Status detect(std::vector<FoundHost>& hosts, const scan::ScanScope& scope,
                        const std::atomic<bool>& cancelled,
                        std::optional<std::size_t> max_concurrency = std::nullopt) = 0;
};

/// The engine's detector (scan::ServiceDetector) with `probes`. Thread-safe: each call runs
/// its own engine detector; a cancel is noticed within about 50 ms.
std::unique_ptr<ServiceDetector> make_engine_service_detector(
    std::shared_ptr<const scan::ServiceProbes> probes, scan::ServiceDetectionOptions options = {});

}  // namespace sentinel::scanner
