#pragma once
// The scan worker's side of a shard's stream: what the engine reports, batched into event frames
// (encode_worker_event) with the shard's counters in each.

#include <chrono>
#include <cstddef>
#include <unordered_set>

#include "agent/scan/scan_worker.h"
#include "agent/scan/shard_engine.h"
#include "sentinel/common/result.h"

namespace sentinel::agent {

/// Warnings and errors in a frame are cut to this many bytes; the agent refuses longer ones.
inline constexpr std::size_t kMaxWorkerTextBytes = 4096;

/// Writes a shard's events to `fd` as frames. A frame goes out when 256 results or hosts or 16
/// services wait, at once for a warning, and at least every kFlushEvery while the engine reports
/// anything: results it does not pass on (filtered pairs, closed ports of a host that already
/// answered) and hosts found down count, so the agent's counters move while a shard waits out
/// silent hosts. Passed on are only results that can change what is found: open and
/// open|filtered ports, and a host's first answer. Once the agent's end is gone, the execution
/// is cancelled. Not thread-safe: the engine reports on the thread that runs it.
class WorkerEventWriter {
 public:
  static constexpr std::size_t kResultsPerFrame = 256;
  static constexpr std::size_t kServicesPerFrame = 16;
  static constexpr std::chrono::milliseconds kFlushEvery{200};

  WorkerEventWriter(int fd, ShardExecution& execution) : fd_(fd), execution_(execution) {}

  /// The sink to run the execution with; it refers to this writer.
  ShardSink sink();
  /// Sends what waits, with the counters; false once the agent's end is gone.
  bool flush();
  /// Sends the last frame: what waits and how the shard ended.
  bool finish(const Result<scan::ScanOutcome>& outcome);

 private:
  void add(const scan::PortResult& result);
  void maybe_flush();

  int fd_;
  ShardExecution& execution_;
  ScanWorkerEvent pending_;
  std::unordered_set<scan::IpAddress> answered_;
  std::chrono::steady_clock::time_point last_flush_ = std::chrono::steady_clock::now();
  bool broken_ = false;
};

}  // namespace sentinel::agent
