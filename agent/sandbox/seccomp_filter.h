#pragma once
// The seccomp allow-list of a confined collector: read files, directories and /proc, ask the
// kernel about interfaces and sockets over netlink, manage its own memory, write its result to
// one pipe, exit. Everything else kills the process (SECCOMP_RET_KILL_PROCESS).

#include "sentinel/common/result.h"

namespace sentinel::agent {

/// What the filter lets through beyond the fixed list.
struct SeccompPolicy {
  int result_fd = -1;         // the only fd `write` may use
  bool allow_stderr = false;  // also fd 2 (sanitizer builds, whose reports go there)
  bool allow_exec = false;    // execve/execveat
  /// A long-running watcher: inotify, poll/epoll, NETLINK_CONNECTOR sockets, threads, and
  /// file writes (create, write, sync, rename, unlink) wherever its user may write.
  bool watcher = false;
};

/// Installs the filter on the calling process (after PR_SET_NO_NEW_PRIVS). Irrevocable; for the
/// child that run_confined forks, never for the agent itself.
Status install_seccomp_filter(const SeccompPolicy& policy);

}  // namespace sentinel::agent
