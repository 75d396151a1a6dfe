#include "agent/sandbox/seccomp_filter.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/netlink.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace sentinel::agent {
namespace {

struct ContextDeleter {
  void operator()(scmp_filter_ctx context) const { seccomp_release(context); }
};
using Context = std::unique_ptr<void, ContextDeleter>;

// Reading files, directories and /proc; the stat family; memory; time; signals of its own;
// identity queries. Nothing here can change anything outside the process.
constexpr int kAlwaysAllowed[] = {
    SCMP_SYS(read),
    SCMP_SYS(pread64),
    SCMP_SYS(readv),
    SCMP_SYS(lseek),
    SCMP_SYS(close),
    SCMP_SYS(fstat),
    SCMP_SYS(stat),
    SCMP_SYS(lstat),
    SCMP_SYS(newfstatat),
    SCMP_SYS(statx),
    SCMP_SYS(statfs),
    SCMP_SYS(fstatfs),
    SCMP_SYS(getdents),
    SCMP_SYS(getdents64),
    SCMP_SYS(readlink),
    SCMP_SYS(readlinkat),
    SCMP_SYS(access),
    SCMP_SYS(faccessat),
    SCMP_SYS(faccessat2),
    SCMP_SYS(fcntl),
    SCMP_SYS(getcwd),
    // memory management (mmap with PROT_EXEC: NSS modules are loaded with dlopen)
    SCMP_SYS(brk),
    SCMP_SYS(mmap),
    SCMP_SYS(munmap),
    SCMP_SYS(mremap),
    SCMP_SYS(mprotect),
    SCMP_SYS(madvise),
    // threads of libc, time, scheduling information
    SCMP_SYS(futex),
    SCMP_SYS(clock_gettime),
    SCMP_SYS(clock_getres),
    SCMP_SYS(clock_nanosleep),
    SCMP_SYS(nanosleep),
    SCMP_SYS(gettimeofday),
    SCMP_SYS(time),
    SCMP_SYS(sched_yield),
    SCMP_SYS(sched_getaffinity),
    SCMP_SYS(getcpu),
    SCMP_SYS(getrandom),
    // signals and exit
    SCMP_SYS(rt_sigaction),
    SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(rt_sigreturn),
    SCMP_SYS(sigaltstack),
    SCMP_SYS(restart_syscall),
    SCMP_SYS(exit),
    SCMP_SYS(exit_group),
    // who and where am I (uname, sysinfo: inventory; getrusage, times: own accounting)
    SCMP_SYS(getpid),
    SCMP_SYS(gettid),
    SCMP_SYS(getppid),
    SCMP_SYS(getuid),
    SCMP_SYS(geteuid),
    SCMP_SYS(getgid),
    SCMP_SYS(getegid),
    SCMP_SYS(getgroups),
    SCMP_SYS(getresuid),
    SCMP_SYS(getresgid),
    SCMP_SYS(uname),
    SCMP_SYS(sysinfo),
    SCMP_SYS(getrusage),
    SCMP_SYS(times),
    // on the netlink sockets that the socket rule below allows
    SCMP_SYS(bind),
    SCMP_SYS(getsockname),
    SCMP_SYS(sendto),
    SCMP_SYS(sendmsg),
    SCMP_SYS(recvfrom),
    SCMP_SYS(recvmsg),
    SCMP_SYS(setsockopt),
    SCMP_SYS(getsockopt),
};

// With allow_exec: spawning a helper and waiting for it, and what ld.so needs to start it.
constexpr int kExecAllowed[] = {
    SCMP_SYS(execve),
    SCMP_SYS(execveat),
    SCMP_SYS(clone),
    SCMP_SYS(vfork),
    SCMP_SYS(wait4),
    SCMP_SYS(pipe2),
    SCMP_SYS(dup2),
    SCMP_SYS(dup3),
    SCMP_SYS(arch_prctl),
    SCMP_SYS(set_tid_address),
    SCMP_SYS(set_robust_list),
    SCMP_SYS(rseq),
};

// With watcher: waiting on many fds, inotify, threads (pthread_create), and writing its state
// files (SQLite: pwrite, fsync, ftruncate, unlink of its journal; atomic renames).
constexpr int kWatcherAllowed[] = {
    SCMP_SYS(poll),
    SCMP_SYS(ppoll),
    SCMP_SYS(epoll_create1),
    SCMP_SYS(epoll_ctl),
    SCMP_SYS(epoll_wait),
    SCMP_SYS(epoll_pwait),
    SCMP_SYS(inotify_init1),
    SCMP_SYS(inotify_add_watch),
    SCMP_SYS(inotify_rm_watch),
    SCMP_SYS(set_robust_list),
    SCMP_SYS(rseq),
    SCMP_SYS(pwrite64),
    SCMP_SYS(pwritev),
    SCMP_SYS(writev),
    SCMP_SYS(fsync),
    SCMP_SYS(fdatasync),
    SCMP_SYS(ftruncate),
    SCMP_SYS(fallocate),
    SCMP_SYS(unlink),
    SCMP_SYS(unlinkat),
    SCMP_SYS(rename),
    SCMP_SYS(renameat),
    SCMP_SYS(renameat2),
    SCMP_SYS(mkdir),
    SCMP_SYS(mkdirat),
    SCMP_SYS(fchmod),
    SCMP_SYS(chmod),
    SCMP_SYS(fchmodat),
    SCMP_SYS(umask),
    SCMP_SYS(flock),
    SCMP_SYS(dup),
    SCMP_SYS(pipe2),
    SCMP_SYS(eventfd2),
    SCMP_SYS(fadvise64),
};

// With firewall: libnftables waits for netlink answers with select (pselect6), the worker for
// requests with poll; the commit-confirm state files are replaced atomically (write, fsync,
// rename) in a directory it may create.
constexpr int kFirewallAllowed[] = {
    SCMP_SYS(poll),      SCMP_SYS(ppoll),     SCMP_SYS(select),   SCMP_SYS(pselect6),
    SCMP_SYS(fsync),     SCMP_SYS(fdatasync), SCMP_SYS(rename),   SCMP_SYS(renameat),
    SCMP_SYS(renameat2), SCMP_SYS(unlink),    SCMP_SYS(unlinkat), SCMP_SYS(mkdir),
    SCMP_SYS(mkdirat),   SCMP_SYS(fchmod),    SCMP_SYS(umask),
};

// With scanner: the engine's syscalls (src/scan): non-blocking connect() probes and service
// detection (OpenSSL reads and writes its socket with read/write), UDP probes and ICMP errors
// (recvmsg MSG_ERRQUEUE), raw SYN probes in batches (sendmmsg, half of each batch from a
// second thread: pthread_create), replies from a packet ring (poll), one epoll loop per scan
// woken by an eventfd, SIGPIPE held pending and drained (rt_sigtimedwait) while TLS peers hang
// up.
constexpr int kScannerAllowed[] = {
    SCMP_SYS(connect),       SCMP_SYS(getpeername),
    SCMP_SYS(shutdown),      SCMP_SYS(sendmmsg),
    SCMP_SYS(recvmmsg),      SCMP_SYS(poll),
    SCMP_SYS(ppoll),         SCMP_SYS(epoll_create1),
    SCMP_SYS(epoll_ctl),     SCMP_SYS(epoll_wait),
    SCMP_SYS(epoll_pwait),   SCMP_SYS(epoll_pwait2),
    SCMP_SYS(eventfd2),      SCMP_SYS(rt_sigtimedwait),
    SCMP_SYS(rt_sigpending), SCMP_SYS(set_robust_list),
    SCMP_SYS(rseq),
};

// Flags that make an open write or create something.
constexpr scmp_datum_t kWriteFlags = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | 020000000;

Status added(int rc, const char* what) {
  if (rc == 0) return ok();
  return internal_error(
      fmt::format("seccomp: cannot add rule for {}: {}", what, std::strerror(-rc)));
}

// Threads (pthread_create) and nothing else: a clone without CLONE_THREAD would be a new
// process; clone3 keeps its flags in memory, so it fails with ENOSYS and libc falls back to
// clone.
Status allow_threads(scmp_filter_ctx ctx) {
  SENTINEL_TRY(added(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                                      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)),
                     "clone (threads)"));
  return added(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0), "clone3");
}

}  // namespace

Status install_seccomp_filter(const SeccompPolicy& policy) {
  if (seccomp_api_get() < 3) {
    return internal_error(
        "seccomp: the kernel or libseccomp lacks SECCOMP_RET_KILL_PROCESS (Linux 4.14+)");
  }
  Context context(seccomp_init(SCMP_ACT_KILL_PROCESS));
  if (!context) return internal_error("seccomp: cannot create the filter");
  scmp_filter_ctx ctx = context.get();
  SENTINEL_TRY(added(seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS),
                     "foreign architectures"));
  for (const int syscall : kAlwaysAllowed) {
    SENTINEL_TRY(added(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, syscall, 0), "the allow-list"));
  }

  // Opening for reading only (a watcher and the firewall worker: also writing, where their
  // user may).
  const bool writes_files = policy.watcher || policy.firewall;
  if (writes_files) {
    SENTINEL_TRY(added(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 0), "openat"));
    SENTINEL_TRY(added(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 0), "open"));
  } else {
    SENTINEL_TRY(added(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
                                        SCMP_A2(SCMP_CMP_MASKED_EQ, kWriteFlags, 0)),
                       "openat"));
    SENTINEL_TRY(added(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
                                        SCMP_A1(SCMP_CMP_MASKED_EQ, kWriteFlags, 0)),
                       "open"));
  }
  // openat2 keeps its flags in memory a filter cannot see; ENOSYS makes libc use openat.
  SENTINEL_TRY(
      added(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0), "openat2"));

  // Writing: the result pipe only (a watcher and the firewall worker: their state files too;
  // the scan worker: its sockets and eventfds; a sanitizer build's runtime: its reports and its
  // pipe, see SeccompPolicy).
  if (policy.watcher || policy.firewall || policy.scanner || policy.sanitizer_runtime) {
    SENTINEL_TRY(added(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 0), "write"));
  } else {
    SENTINEL_TRY(
        added(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
                               SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(policy.result_fd))),
              "write"));
  }
  if (policy.watcher) {
    for (const int syscall : kWatcherAllowed) {
      SENTINEL_TRY(added(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, syscall, 0), "the watcher list"));
    }
    SENTINEL_TRY(allow_threads(ctx));
  } else if (policy.firewall) {
    for (const int syscall : kFirewallAllowed) {
      SENTINEL_TRY(added(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, syscall, 0), "the firewall list"));
    }
  } else if (policy.scanner) {
    for (const int syscall : kScannerAllowed) {
      SENTINEL_TRY(added(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, syscall, 0), "the scanner list"));
    }
    SENTINEL_TRY(allow_threads(ctx));
    // Inet sockets of every type: stream (connect probes, service detection, the reserved
    // source ports of SYN probes), datagram (UDP probes, ICMP echo, route lookups), raw
    // (IPPROTO_RAW senders). Whom they reach is the engine's scope check.
    for (const int family : {AF_INET, AF_INET6}) {
      SENTINEL_TRY(added(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
                                          SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(family))),
                         "socket(AF_INET, AF_INET6)"));
    }
    // Packet sockets, cooked only (SOCK_DGRAM, with SOCK_NONBLOCK/SOCK_CLOEXEC): the reply
    // rings and ARP. A SOCK_RAW packet socket (link-layer frames of its own) kills.
    SENTINEL_TRY(added(
        seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2, SCMP_A0(SCMP_CMP_EQ, AF_PACKET),
                         SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_DGRAM)),
        "socket(AF_PACKET, SOCK_DGRAM)"));
    // Raising its own soft limit of open files up to the hard one (a connect scan's budget):
    // prlimit64(0, RLIMIT_NOFILE, new, old). Without CAP_SYS_RESOURCE the hard limit stays.
    SENTINEL_TRY(
        added(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 2, SCMP_A0(SCMP_CMP_EQ, 0),
                               SCMP_A1(SCMP_CMP_EQ, RLIMIT_NOFILE)),
              "prlimit64(RLIMIT_NOFILE)"));
  }
  // The watcher and exec lists hold pipe2 already.
  if (policy.sanitizer_runtime && !policy.watcher && !policy.allow_exec) {
    SENTINEL_TRY(added(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(pipe2), 0), "pipe2"));
  }

  // Sockets: netlink for interfaces and addresses (getifaddrs, NETLINK_ROUTE) and for
  // listening sockets (NETLINK_SOCK_DIAG); it can read kernel state but change nothing without
  // CAP_NET_ADMIN. AF_UNIX fails softly with EACCES: NSS modules (systemd, nscd, sss) probe
  // their daemons' sockets and fall back to files when refused, while a collector talking to a
  // local daemon (D-Bus, docker) is exactly what confinement must prevent. Every other family
  // (AF_INET, AF_PACKET, ...) kills, but for the scan worker's (above). No accept or listen at
  // all, and no connect but the scan worker's.
  // The firewall worker talks to nftables (NETLINK_NETFILTER; it holds CAP_NET_ADMIN, that is
  // its job) and reads interfaces (NETLINK_ROUTE), nothing else.
  // The scan worker reads interfaces and addresses (getifaddrs: ARP segments), nothing else.
  std::vector<int> protocols = {NETLINK_ROUTE, NETLINK_SOCK_DIAG};
  if (policy.watcher) protocols.push_back(NETLINK_CONNECTOR);
  if (policy.firewall) protocols = {NETLINK_ROUTE, NETLINK_NETFILTER};
  if (policy.scanner) protocols = {NETLINK_ROUTE};
  for (const int protocol : protocols) {
    SENTINEL_TRY(added(
        seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2, SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
                         SCMP_A2(SCMP_CMP_EQ, static_cast<scmp_datum_t>(protocol))),
        "socket(AF_NETLINK)"));
  }
  SENTINEL_TRY(added(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1,
                                      SCMP_A0(SCMP_CMP_EQ, AF_UNIX)),
                     "socket(AF_UNIX)"));

  // Reading limits but not setting them (prlimit64 with a null new limit); abort() signalling
  // itself.
  SENTINEL_TRY(
      added(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1, SCMP_A2(SCMP_CMP_EQ, 0)),
            "prlimit64"));
  SENTINEL_TRY(added(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(getrlimit), 0), "getrlimit"));
  SENTINEL_TRY(added(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
                                      SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(::getpid()))),
                     "tgkill"));

  if (policy.allow_exec) {
    // Enough to posix_spawn a helper (rpm, dpkg-query) whose stdout is a pipe, and for the
    // dynamic loader to start it. The helper inherits this filter; execve drops the child's
    // capabilities (no ambient set), so it runs unprivileged.
    for (const int syscall : kExecAllowed) {
      SENTINEL_TRY(added(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, syscall, 0), "the exec list"));
    }
    // clone3 keeps its flags in memory; ENOSYS makes libc fall back to clone.
    SENTINEL_TRY(
        added(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0), "clone3"));
    SENTINEL_TRY(added(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
                                        SCMP_A0(SCMP_CMP_EQ, STDOUT_FILENO)),
                       "write to stdout"));
  }

  const int loaded = seccomp_load(ctx);
  if (loaded != 0) {
    return internal_error(
        fmt::format("seccomp: cannot load the filter: {}", std::strerror(-loaded)));
  }
  return ok();
}

}  // namespace sentinel::agent
