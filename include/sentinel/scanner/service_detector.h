#pragma once
// The seam for service and version detection (ADR 0005, "Service and version detection"): a job
// calls it after its port scan, on the open ports it found. No implementation is registered yet,
// so results carry no service until one is.

#include <atomic>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scanner/scan_job.h"

namespace sentinel::scanner {

/// Names the services on open ports (banners, probes, TLS). Called from a job's worker thread,
/// one job at a time per call; implementations used by several workers must be thread-safe.
class ServiceDetector {
 public:
  virtual ~ServiceDetector() = default;
  /// Sets `service` (and `tunnel`) of the ports of `hosts` it can name and leaves the others
  /// alone; every address is inside the job's scope. Returns soon after `cancelled` turns true.
  /// An Error fails nothing but the detection: the job completes with its ports.
  virtual Status detect(std::vector<FoundHost>& hosts, const std::atomic<bool>& cancelled) = 0;
};

}  // namespace sentinel::scanner
