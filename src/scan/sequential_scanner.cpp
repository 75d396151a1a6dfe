#include "sentinel/scan/sequential_scanner.h"

#include "sentinel/scan/scan_clock.h"

namespace sentinel::scan {
namespace {

std::int64_t steady_ns(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

}  // namespace

SequentialScanner::SequentialScanner(std::vector<std::unique_ptr<PortScanner>> parts)
    : parts_(std::move(parts)) {}

Result<ScanOutcome> SequentialScanner::run(const PortResultHandler& on_result) {
  if (ran_.exchange(true)) return conflict("this scan has already run");
  started_ns_.store(steady_ns(ScanClock::now()));
  Result<ScanOutcome> outcome = ScanOutcome::kCompleted;
  for (const std::unique_ptr<PortScanner>& part : parts_) {
    // A cancel also reached every part not yet run (it returns at once), so a cancel that comes
    // between two parts is not lost.
    if (cancelled_.load()) {
      outcome = ScanOutcome::kCancelled;
      break;
    }
    outcome = part->run(on_result);
    if (!outcome || *outcome == ScanOutcome::kCancelled) break;
  }
  finished_ns_.store(steady_ns(ScanClock::now()));
  return outcome;
}

void SequentialScanner::cancel() {
  cancelled_.store(true);
  for (const std::unique_ptr<PortScanner>& part : parts_) part->cancel();
}

ScanProgress SequentialScanner::progress() const {
  ScanProgress sum;
  for (const std::unique_ptr<PortScanner>& part : parts_) {
    const ScanProgress progress = part->progress();
    sum.pairs_total += progress.pairs_total;
    sum.pairs_done += progress.pairs_done;
    sum.probes_sent += progress.probes_sent;
    sum.open_found += progress.open_found;
  }
  const std::int64_t started = started_ns_.load();
  if (started != 0) {
    const std::int64_t finished = finished_ns_.load();
    const std::int64_t end = finished != 0 ? finished : steady_ns(ScanClock::now());
    const double seconds = static_cast<double>(end - started) / 1e9;
    if (seconds > 0) sum.probes_per_second = static_cast<double>(sum.probes_sent) / seconds;
  }
  return sum;
}

}  // namespace sentinel::scan
