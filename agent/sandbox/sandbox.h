#pragma once
// Confinement of the agent's collectors: each piece of collection work runs in a forked child
// that drops to an unprivileged user (keeping only the capabilities to read every process's
// /proc entries), cannot gain privileges, has resource limits and no inherited fds, and runs
// under a seccomp allow-list that kills it on anything else. The privileged agent keeps the
// network, the keys and the spool; a compromised collector gets none of them. The scan worker,
// the one child that may open inet sockets, is not a fork but a fresh image of the agent's
// binary that confines itself with the same code (spawn_confined_exec, confine_exec_worker), so
// that none of the agent's memory is in it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

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
  /// RLIMIT_CPU (SIGXCPU, then SIGKILL one second later). Collectors; the scan worker when
  /// above 0; never the watcher or the firewall worker.
  int max_cpu_seconds = 20;
  /// Lets `work` posix_spawn a helper program (rpm); denied otherwise.
  bool allow_exec = false;
  /// A long-running watcher instead of a one-shot collector (spawn_confined): it may also use
  /// inotify, poll and epoll, the netlink process connector, threads of its own, and create and
  /// write files where its user may (its state directory, see prepare_state_dir). It has no
  /// RLIMIT_CPU (it runs for days) and no timeout.
  bool watcher = false;
  /// The firewall enforcer (ADR 0006) instead of a collector: long-running like a watcher (no
  /// timeout, no RLIMIT_CPU), it keeps CAP_NET_ADMIN and no other capability, its fd is one end
  /// of a socketpair (requests in, answers out) rather than a pipe, and it runs under the
  /// seccomp profile `firewall` (netlink to nftables, file writes where its user may, no exec,
  /// no threads, no inet sockets). Started with spawn_confined.
  bool firewall = false;
  /// The scan worker (ADR 0005) instead of a collector: long-running like the firewall worker
  /// (no timeout; RLIMIT_CPU only as its engine sets it, a bound on one shard; the agent kills a
  /// shard nobody polls),
  /// it keeps CAP_NET_RAW and no other capability, its fd is one end of a socketpair (the shard
  /// in, results out), and it runs under the seccomp profile `scanner` (inet and packet sockets,
  /// connect, epoll, threads; no exec, no new process, no file writes, no AF_UNIX). Started
  /// with spawn_confined.
  bool scanner = false;
  /// What the child is called in errors ("scan worker blocked by the seccomp filter: ...").
  std::string name = "collector";
  /// When not empty, the child changes into this directory before it drops its privileges, so
  /// that it can use it by relative paths while the directories above are closed to its user.
  std::string working_dir;
  /// An fd of the caller's that the child keeps, as kInheritedFd: something only the agent's
  /// privileges could set up (the process connector's socket with a receive queue above
  /// net.core.rmem_max). -1: none. spawn_confined only; the caller still owns its copy.
  int inherited_fd = -1;
};

/// Where a child started with SandboxOptions::inherited_fd finds it (every other fd above the
/// output fd is closed).
inline constexpr int kInheritedFd = 4;

/// A confined child that keeps running: it writes records to `output_fd` until it ends.
struct ConfinedProcess {
  int pid = -1;
  int output_fd = -1;  // the read end (firewall, scanner: the agent's end of the socketpair);
                       // owned by the caller until finish_confined
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

/// Starts `work` in a confined child (as run_confined, with options.watcher) that keeps running;
/// `work` gets the fd to write to and its return value is the child's exit status. The caller
/// reads `output_fd` and must call finish_confined. Thread-safe.
Result<ConfinedProcess> spawn_confined(const std::function<int(int output_fd)>& work,
                                       const SandboxOptions& options);

/// An executable that confined workers are started from with fexecve: the file as it was when
/// opened, so that a self-update that replaces the binary on disk changes what the next agent
/// runs, not what this one starts (the agent opens /proc/self/exe when it starts). Owns its fd
/// (close-on-exec); move-only; fd() may be used from any thread.
class WorkerImage {
 public:
  /// Opens `path` read-only; kUnavailable naming it when it cannot be opened.
  static Result<WorkerImage> open(const std::string& path);
  WorkerImage(WorkerImage&& other) noexcept;
  WorkerImage& operator=(WorkerImage&& other) noexcept;
  WorkerImage(const WorkerImage&) = delete;
  WorkerImage& operator=(const WorkerImage&) = delete;
  ~WorkerImage();
  int fd() const { return fd_; }

 private:
  explicit WorkerImage(int fd) : fd_(fd) {}
  int fd_ = -1;
};

/// Starts a worker with a profile of its own (options.scanner; the only one started this way)
/// from a clean process image instead of a fork of the agent: the agent makes the socketpair and
/// forks, and the child, doing only async-signal-safe calls (the agent is multi-threaded),
/// unblocks and resets every signal, puts its end of the socketpair on fd 3 and /dev/null on 0
/// and 1 (2 stays, for the image to say why it could not confine itself), marks every other fd
/// close-on-exec and fexecve()s `image` with argv {"sentinel-agent", arguments..., the
/// confinement} and an empty environment. Nothing of the agent's memory (keys, TLS state) or
/// locks survives the exec. The new image must call confine_exec_worker with that last argument
/// before it reads a byte (scan_worker_main does). The caller owns the result as from
/// spawn_confined; a child whose exec failed ends with status 127 ("could not be started").
/// Thread-safe.
Result<ConfinedProcess> spawn_confined_exec(const WorkerImage& image,
                                            const std::vector<std::string>& arguments,
                                            const SandboxOptions& options);

/// The first call of an image started by spawn_confined_exec, with its last argument (the
/// confinement the agent chose: profile, user ids, memory limit, the agent's pid; checked
/// strictly). Applies to this process what spawn_confined applies to its forked children, with
/// the same code: fds (only 0-2 on /dev/null and 3 stay), RLIMIT_AS, no core files, the sandbox
/// user keeping only the profile's capability (bounding set too), non-dumpable, parent-death
/// SIGKILL (set here: the exec of a set-uid change resets it) and then a check that the agent
/// is still its parent (else it exits), NO_NEW_PRIVS, the seccomp filter (which forbids
/// execve). On error the caller must end without doing its work (status 125).
Status confine_exec_worker(std::string_view confinement);

/// Ends a spawned child (SIGKILL first when `kill`), reaps it, closes its fd, and says how it
/// ended: ok() for exit status 0, otherwise an error as run_confined's.
Status finish_confined(ConfinedProcess& process, bool kill, const SandboxOptions& options);

/// Makes `path` a directory (0700) that the confined children can write: owned by
/// `options.user` when the agent runs as root, by the agent otherwise.
Status prepare_state_dir(const std::string& path, const SandboxOptions& options);

}  // namespace sentinel::agent
