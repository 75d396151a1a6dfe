#pragma once
// The seccomp allow-list of a confined collector: read files, directories and /proc, ask the
// kernel about interfaces and sockets over netlink, manage its own memory, write its result to
// one pipe, exit. Everything else kills the process (SECCOMP_RET_KILL_PROCESS).

#include "sentinel/common/result.h"

namespace sentinel::agent {

/// What the filter lets through beyond the fixed list.
struct SeccompPolicy {
  int result_fd = -1;  // the only fd `write` may use
  /// Sanitizer builds only: their runtime writes its reports to fd 2, and UBSan's vptr check
  /// tests whether memory is readable by writing it into a fresh pipe (on each type it has not
  /// seen yet), so pipe2 and writes to any fd pass. Never set in a release build.
  bool sanitizer_runtime = false;
  bool allow_exec = false;  // execve/execveat
  /// A long-running watcher: inotify, poll/epoll, NETLINK_CONNECTOR sockets, threads, and
  /// file writes (create, write, sync, rename, unlink) wherever its user may write.
  bool watcher = false;
  /// The firewall enforcer (profile `firewall`): NETLINK_NETFILTER and NETLINK_ROUTE sockets
  /// (nftables and its interface cache), waiting on them with select/poll, file writes (its
  /// state files, wherever its user may), any fd for write (its socket and files); no threads,
  /// no exec, no other socket family.
  bool firewall = false;
  /// The scan worker (profile `scanner`): AF_INET and AF_INET6 sockets of any type (stream,
  /// datagram and ICMP datagram, raw), cooked AF_PACKET sockets (replies through a BPF filter
  /// and an mmap'ed ring, ARP), NETLINK_ROUTE (interfaces), connect and the rest of the socket
  /// calls, epoll/poll and eventfd, raising its own open-file soft limit, any fd for write (its
  /// sockets, eventfds and result socket: it cannot open a file for writing), threads (clone
  /// with CLONE_THREAD); no exec, no new process, no file writes, AF_UNIX refused with EACCES.
  bool scanner = false;
};

/// Installs the filter on the calling process (after PR_SET_NO_NEW_PRIVS). Irrevocable; for the
/// child that run_confined forks, never for the agent itself.
Status install_seccomp_filter(const SeccompPolicy& policy);

}  // namespace sentinel::agent
