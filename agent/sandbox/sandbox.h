#pragma once
// Confinement of the agent's collectors: each piece of collection work runs in a forked child
// that drops to an unprivileged user (keeping only the capabilities to read every process's
// /proc entries), cannot gain privileges, has resource limits and no inherited fds, and runs
// under a seccomp allow-list that kills it on anything else. The privileged agent keeps the
// network, the keys and the spool; a compromised collector gets none of them.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "sentinel/common/result.h"

namespace sentinel::agent {

/// How a confined child is set up.
struct SandboxOptions {
  /// The user the child becomes when the agent runs as root (its primary group too).
  std::string user = "nobody";
  /// Wall time before the child is killed (SIGKILL).
  std::chrono::milliseconds timeout{30000};
  /// Larger results are refused (kPayloadTooLarge) and the child is killed.
  std::size_t max_output_bytes = 16 << 20;
  /// RLIMIT_AS; not applied in ASan builds, whose shadow memory needs terabytes of addresses.
  std::int64_t max_address_space_bytes = 1LL << 30;
  /// RLIMIT_CPU (SIGXCPU, then SIGKILL one second later).
  int max_cpu_seconds = 20;
  /// Lets `work` posix_spawn a helper program (rpm); denied otherwise.
  bool allow_exec = false;
};

/// Runs `work` in a confined child process and returns what it returned. Blocks the calling
/// thread until the child ends. The child is a fork of this process: `work` may use what was
/// set up before the call, but must not wait on locks other threads may hold (loggers), and
/// must not write anywhere (there is nowhere it can). Errors: the work's own error (its code
/// and message); kPermissionDenied when the seccomp filter killed it ("blocked by the seccomp
/// filter"); kUnavailable on timeout; kPayloadTooLarge for oversized output; kInternal when
/// the child could not be confined (it never runs `work` unconfined) or crashed. Thread-safe.
Result<std::string> run_confined(const std::function<Result<std::string>()>& work,
                                 const SandboxOptions& options = {});

}  // namespace sentinel::agent
