#pragma once
// The scan worker (ADR 0005): each shard runs in a fresh confined child that keeps CAP_NET_RAW
// and nothing else (agent/sandbox, seccomp profile `scanner`), started from a clean image of the
// agent's binary (fork, exec, then it confines itself), so that none of the agent's memory (its
// identity key, channel TLS state) is in the one confined child that may open inet sockets. The
// agent writes the shard's scan_shard_start arguments to the child's socket, the child answers as
// the firewall worker answers a request ({"ok": true, "result": {"method", "reason"}} or the plan's
// error), then streams event frames until the shard is done; all in the frames of
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

/// One frame of the worker's stream after its answer: hosts found up, results, services,
/// warnings and counters since the previous frame, and in the last frame how the shard ended.
/// A plain value.
struct ScanWorkerEvent {
  struct Done {
    std::string error;  // empty: the shard completed (or was cancelled)
    bool cancelled = false;
  };
  std::vector<scanner::FoundHost> hosts;     // found up: address, reason, MAC; no ports
  std::vector<scan::PortResult> results;     // address, port, protocol, state only
  std::vector<scanner::FoundHost> services;  // ports with a service or TLS facts
  std::vector<std::string> warnings;
  std::optional<scan::ScanProgress> progress;  // the counters at the time of the frame
  std::string phase;  // "discovery", "ports" or "services" at the time of the frame; "": unsaid
  std::optional<Done> done;
};

/// The frame payload of an event: {"hosts": [FoundHost wire form with "reason" (and "mac"),
/// without ports], "results": [[address, port, "tcp"|"udp", state]], "services": [FoundHost
/// wire form], "warnings": [...], "progress": {...}, "phase": "...", "done": {"error",
/// "cancelled"}}, each key only when it has something.
std::string encode_worker_event(const ScanWorkerEvent& event);
/// Its strict inverse: the agent reads what a child that may have been subverted sent, so
/// unknown keys, wrong types and values out of range are kInvalidArgument naming the field.
/// Pure.
Result<ScanWorkerEvent> decode_worker_event(std::string_view payload);

/// The child's whole life: reads one shard (the scan_shard_start arguments) from `fd`, prepares
/// it with `engine` (in this process: the confined child), answers, runs it, and streams its
/// events to `fd` (WorkerEventWriter: batches of at most 256 results, and the counters at least
/// every 200 ms while the engine reports anything, silent hosts' timeouts included).
/// When the agent's end is gone the scan is cancelled. Returns the exit status: 0 once the
/// last frame was sent or a refusal answered, 1 when the stream broke or the request was
/// malformed.
int run_scan_worker(int fd, InProcessShardEngine& engine);

/// What a worker image runs once confined: run_scan_worker in the agent; tests' images may do
/// otherwise, to see how the agent takes a worker that misbehaves.
using ScanWorkerBody = std::function<int(int fd, InProcessShardEngine& engine)>;

/// The main of the worker image (`sentinel-agent scan-worker ARGS... --confinement=...`,
/// started by ConfinedShardEngine): first confines this process with the last argument
/// (confine_exec_worker: the sandbox user with CAP_NET_RAW only, seccomp profile `scanner`)
/// before it reads a byte, then reads its other arguments (`--builtin-probes`: the built-in
/// service probes instead of nmap's file) and runs `body` on fd 3 with an engine of its own.
/// A confinement or argument that fails is answered on fd 3 as an error frame. Never returns:
/// it ends with _exit, so that nothing runs at exit under the filter.
[[noreturn]] void scan_worker_main(const std::vector<std::string_view>& arguments,
                                   const ScanWorkerBody& body);

/// How the agent starts its scan workers.
struct ConfinedShardEngineOptions {
  /// The sandbox user and memory limit (options.scanner and the name are set by the engine).
  SandboxOptions sandbox;
  /// The worker image, opened once when the engine is made and started with fexecve for every
  /// shard: the agent gives "/proc/self/exe" (its own binary as it was when it started, even
  /// after a self-update replaced the file); tests give a built binary. Required: empty fails
  /// every start.
  std::string executable;
  /// What follows argv[0]: the subcommand the image runs its worker under ("scan-worker"; tests'
  /// images take others) and its arguments. The engine appends `--builtin-probes` when asked,
  /// then the confinement.
  std::vector<std::string> arguments{"scan-worker"};
  /// Service detection with the built-in probes; otherwise the worker reads nmap's
  /// nmap-service-probes (read-only, after it is confined) when installed, else the built-in.
  bool builtin_probes = false;
  /// How long the child may take to confine itself and answer the shard.
  std::chrono::milliseconds start_timeout{30'000};
  /// The CPU time one shard's worker may use (RLIMIT_CPU), whatever `sandbox` says: the largest
  /// shard (256 addresses x 65,535 ports with service detection) needs a few minutes of CPU; a
  /// worker stuck in a loop fails its shard ("scan worker stopped at its CPU limit of 1800 s")
  /// instead of burning a core until nobody polls.
  int max_cpu_seconds = 1800;
};

/// Runs every shard in a fresh confined worker started from a clean image (CAP_NET_RAW only,
/// seccomp profile `scanner`). Thread-safe.
class ConfinedShardEngine final : public ShardEngine {
 public:
  explicit ConfinedShardEngine(ConfinedShardEngineOptions options);
  /// Starts the worker, sends it the shard and waits for its answer: the method, or the plan's
  /// error, or why the worker could not start or died ("scan worker ...").
  Result<std::unique_ptr<ShardExecution>> prepare(const scanner::ShardStart& start) override;

 private:
  ConfinedShardEngineOptions options_;
  Result<WorkerImage> image_;  // options_.executable, opened once
};

}  // namespace sentinel::agent
