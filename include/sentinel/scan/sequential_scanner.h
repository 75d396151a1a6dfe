#pragma once
// Several port scans of one job run one after the other behind one PortScanner: a TCP scan and
// a UDP scan of the same targets are watched, counted and cancelled as one scan.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "sentinel/scan/port_scanner.h"

namespace sentinel::scan {

/// Runs its parts in order on the calling thread, each to its end, and reports every part's
/// results through the one handler. progress() is the sum of the parts (pairs, probes, open
/// ports; probes per second over the whole run); cancel() stops the running part and keeps the
/// later ones from starting. run() once; progress() and cancel() from any thread.
class SequentialScanner final : public PortScanner {
 public:
  /// Owns `parts` (none null), which must not have run.
  explicit SequentialScanner(std::vector<std::unique_ptr<PortScanner>> parts);

  /// Runs the parts in order. Returns the first part's error as it is (the later parts do not
  /// run), kCancelled when a cancel came, kCompleted when every part completed.
  Result<ScanOutcome> run(const PortResultHandler& on_result) override;
  void cancel() override;
  ScanProgress progress() const override;

 private:
  const std::vector<std::unique_ptr<PortScanner>> parts_;
  std::atomic<bool> ran_{false};
  std::atomic<bool> cancelled_{false};
  std::atomic<std::int64_t> started_ns_{0};
  std::atomic<std::int64_t> finished_ns_{0};
};

}  // namespace sentinel::scan
