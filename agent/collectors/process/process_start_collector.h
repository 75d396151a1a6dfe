#pragma once
// process.start events (ADR 0004) from the kernel's process connector: a netlink socket
// (NETLINK_CONNECTOR, group CN_IDX_PROC) on which the kernel reports every fork, exec and exit.
// On each exec the process is looked up in /proc; what the event alone tells (pid, and the parent
// from the fork event) is reported for processes already gone by then.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <unordered_map>
#include <utility>
#include <vector>

#include "agent/collectors/collected_event.h"
#include "agent/collectors/process/user_names.h"
#include "sentinel/common/result.h"

namespace sentinel::agent::process {

/// Where to read and how much to keep. A plain value.
struct ProcessStartOptions {
  std::filesystem::path proc = "/proc";
  std::filesystem::path passwd = "/etc/passwd";
  /// The socket's receive queue, asked with SO_RCVBUFFORCE (CAP_NET_ADMIN) and else SO_RCVBUF
  /// (capped by net.core.rmem_max). A burst of execs beyond it is lost, and counted.
  int receive_buffer_bytes = 8 << 20;
  /// Kernel messages handled by one drain(); the rest stay queued and the descriptor readable.
  std::size_t max_messages_per_drain = 4096;
  /// Live processes whose parent pid is remembered from their fork event.
  std::size_t max_remembered_parents = 32768;
};

/// What the collector could not take whole. Monotonic counters since create().
struct ProcessStartStats {
  std::uint64_t execs = 0;  // exec events received
  /// Execs reported with only pid and parent: the process had exited, exec'd again or its pid
  /// was reused before /proc was read.
  std::uint64_t vanished = 0;
  std::uint64_t overflows = 0;  // times the kernel said the receive queue overflowed (ENOBUFS)
  /// Events sent but never received: gaps in the kernel's per-CPU sequence numbers. A lower bound:
  /// losses on a CPU before the first message received from it do not show.
  std::uint64_t lost_events = 0;
  std::uint64_t command_lines_truncated = 0;  // over kMaxCommandLineBytes
  std::uint64_t malformed_messages = 0;       // ignored: short, foreign or not from the kernel
  /// The receive queue the kernel granted (SO_RCVBUF as it reports it: twice what was set).
  std::uint64_t receive_buffer_bytes = 0;
};

/// The exec watcher. Owns the netlink socket; move-only. Not thread-safe and makes no threads:
/// one thread polls fd() for POLLIN and calls drain().
class ProcessStartCollector {
 public:
  /// Opens, binds and subscribes the socket. kPermissionDenied when the kernel refuses the
  /// subscription (kernels before 6.6 want CAP_NET_ADMIN); kUnavailable without a process
  /// connector (CONFIG_PROC_EVENTS off, or a network namespace other than the initial one) or
  /// when the kernel ignores the request (a pid namespace other than the initial one); kInternal
  /// otherwise.
  /// `socket`: one from open_socket() (the collector owns it, also when create fails); -1: it
  /// opens its own.
  static Result<ProcessStartCollector> create(ProcessStartOptions options = {}, int socket = -1);

  /// An unbound NETLINK_CONNECTOR socket (non-blocking, close-on-exec) asking for a receive
  /// queue of `receive_buffer_bytes`: SO_RCVBUFFORCE where the caller has CAP_NET_ADMIN, else
  /// SO_RCVBUF (capped by net.core.rmem_max). The agent opens it for its watcher child, which
  /// drops that capability before it makes the collector.
  static Result<int> open_socket(int receive_buffer_bytes);

  ProcessStartCollector(ProcessStartCollector&&) noexcept = default;
  ProcessStartCollector& operator=(ProcessStartCollector&&) noexcept = default;
  ~ProcessStartCollector() = default;

  /// The descriptor to poll for POLLIN (non-blocking, close-on-exec). Owned by the collector.
  int fd() const { return socket_.fd(); }

  /// Reads what the kernel queued, without blocking, and appends one process.start event per
  /// exec to `events`. kInternal when the socket fails (the caller recreates the collector).
  Status drain(std::vector<CollectedEvent>& events);

  /// Counters since create().
  const ProcessStartStats& stats() const { return stats_; }

 private:
  struct KernelEvent;

  // The socket: once subscribed, unsubscribes when destroyed (the kernel counts subscribers
  // and produces events while any is left), then closes.
  class Subscription {
   public:
    explicit Subscription(int fd) : fd_(fd) {}
    Subscription(Subscription&& other) noexcept
        : fd_(std::exchange(other.fd_, -1)),
          subscribed_(std::exchange(other.subscribed_, false)),
          tag_(other.tag_) {}
    Subscription& operator=(Subscription&& other) noexcept;
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    ~Subscription();
    int fd() const { return fd_; }
    // Sends PROC_CN_MCAST_LISTEN; 0 or an errno.
    int subscribe();
    // The ack value our requests carry; the kernel's answer to them carries tag() + 1.
    std::uint32_t tag() const { return tag_; }

   private:
    int fd_;
    bool subscribed_ = false;
    std::uint32_t tag_ = 0;
  };

  ProcessStartCollector(int fd, ProcessStartOptions options);
  // Reads queued datagrams without blocking (at most max_messages_per_drain), or only up to the
  // kernel's answer to our subscription; true when that answer was read.
  Result<bool> receive(std::vector<KernelEvent>& batch, bool until_acknowledged);
  // Appends the events of one datagram to `batch`; true when it held our subscription's answer.
  bool decode(const unsigned char* data, std::size_t size, std::uint32_t sender,
              std::vector<KernelEvent>& batch);
  // Forks, execs and exits in order; one process.start per exec.
  void handle(const std::vector<KernelEvent>& batch, std::vector<CollectedEvent>& events);
  void remember_parent(std::int32_t pid, std::int32_t parent);
  CollectedEvent exec_event(const KernelEvent& exec, bool superseded);

  Subscription socket_;
  ProcessStartOptions options_;
  UserNames user_names_;
  ProcessStartStats stats_;
  std::unordered_map<std::int32_t, std::int32_t> parents_;  // pid -> parent pid, from forks
  std::vector<std::int64_t> last_sequence_;                 // per CPU; -1 before the first
  std::vector<CollectedEvent> pending_;  // execs seen while create() awaited the answer
  int subscription_error_ = 0;           // the kernel's answer to PROC_CN_MCAST_LISTEN
  // Of the current batch: kernel event times are CLOCK_MONOTONIC.
  std::int64_t realtime_minus_monotonic_ns_ = 0;
  std::int64_t boottime_minus_monotonic_ns_ = 0;
};

}  // namespace sentinel::agent::process
