#pragma once
// The scan worker (ADR 0005): each shard runs in a fresh confined child that keeps CAP_NET_RAW
// and nothing else (agent/sandbox, seccomp profile `scanner`). The agent writes the shard's
// scan_shard_start arguments to the child's socket, the child answers as the firewall worker
// answers a request ({"ok": true, "result": {"method", "reason"}} or the plan's error), then
// streams event frames until the shard is done; all in the frames of
// agent/sandbox/worker_stream.h. A cancel kills the child; a child that dies fails the shard
// with why ("scan worker blocked by the seccomp filter: ...").

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/sandbox/sandbox.h"
#include "agent/scan/shard_engine.h"
#include "sentinel/common/result.h"
#include "sentinel/scanner/scan_job.h"

namespace sentinel::agent {

/// One frame of the worker's stream after its answer: results, services, warnings and counters
/// since the previous frame, and in the last frame how the shard ended. A plain value.
struct ScanWorkerEvent {
  struct Done {
    std::string error;  // empty: the shard completed (or was cancelled)
    bool cancelled = false;
  };
  std::vector<scan::PortResult> results;     // address, port, protocol, state only
  std::vector<scanner::FoundHost> services;  // ports with a service or TLS facts
  std::vector<std::string> warnings;
  std::optional<scan::ScanProgress> progress;  // the counters at the time of the frame
  std::optional<Done> done;
};

/// The frame payload of an event: {"results": [[address, port, "tcp"|"udp", state]],
/// "services": [FoundHost wire form], "warnings": [...], "progress": {...}, "done": {"error",
/// "cancelled"}}, each key only when it has something.
std::string encode_worker_event(const ScanWorkerEvent& event);
/// Its strict inverse: the agent reads what a child that may have been subverted sent, so
/// unknown keys, wrong types and values out of range are kInvalidArgument naming the field.
/// Pure.
Result<ScanWorkerEvent> decode_worker_event(std::string_view payload);

/// The child's whole life: reads one shard (the scan_shard_start arguments) from `fd`, prepares
/// it with `engine` (in this process: the confined child), answers, runs it, and streams its
/// events to `fd`; results are sent in batches (at most 256, or every 200 ms as results come).
/// When the agent's end is gone the scan is cancelled. Returns the exit status: 0 once the
/// last frame was sent or a refusal answered, 1 when the stream broke or the request was
/// malformed.
int run_scan_worker(int fd, InProcessShardEngine& engine);

/// How the agent starts its scan workers.
struct ConfinedShardEngineOptions {
  /// The sandbox user (options.scanner and the name are set by the engine).
  SandboxOptions sandbox;
  /// Service detection, run by the child; the probes are read by the agent before the first
  /// child that needs them is forked, and inherited.
  ShardEngineOptions engine;
  /// How long the child may take to confine itself and answer the shard.
  std::chrono::milliseconds start_timeout{30'000};
  /// The child's body; empty: run_scan_worker. Tests replace it to see how the agent takes a
  /// child that misbehaves.
  std::function<int(int fd, InProcessShardEngine& engine)> worker;
};

/// Runs every shard in a fresh confined child (CAP_NET_RAW only, seccomp profile `scanner`).
/// Thread-safe.
class ConfinedShardEngine final : public ShardEngine {
 public:
  explicit ConfinedShardEngine(ConfinedShardEngineOptions options);
  /// Forks the child, sends it the shard and waits for its answer: the method, or the plan's
  /// error, or why the child could not start or died ("scan worker ...").
  Result<std::unique_ptr<ShardExecution>> prepare(const scanner::ShardStart& start) override;

 private:
  ConfinedShardEngineOptions options_;
  InProcessShardEngine local_;  // what the child runs
};

}  // namespace sentinel::agent
