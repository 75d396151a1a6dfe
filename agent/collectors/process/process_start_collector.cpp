#include "agent/collectors/process/process_start_collector.h"

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <iterator>
#include <unordered_map>
#include <utility>

#include "agent/collectors/process/proc_reader.h"

namespace sentinel::agent::process {

// One kernel process event, as far as the collector needs it.
struct ProcessStartCollector::KernelEvent {
  std::uint32_t what = 0;
  std::uint64_t timestamp_ns = 0;  // CLOCK_MONOTONIC
  std::int32_t pid = 0;            // the thread
  std::int32_t tgid = 0;           // the process
  std::int32_t parent_tgid = 0;    // forks only
};

namespace {

constexpr std::size_t kMaxCpus = 8192;        // bounds the per-CPU sequence table
constexpr std::size_t kDatagramBytes = 8192;  // one process event is under 100 bytes
// A sequence jump this large is a counter reset (CPU hotplug), not a loss.
constexpr std::uint32_t kMaxSequenceGap = 1u << 20;
constexpr std::size_t kEventHeaderBytes = offsetof(proc_event, event_data);

std::int64_t clock_ns(clockid_t clock) {
  timespec now{};
  ::clock_gettime(clock, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

Error socket_error(std::string_view what, int error) {
  std::string message = "process connector: " + std::string(what) + ": " + std::strerror(error);
  if (error == EPERM || error == EACCES) {
    return permission_denied(std::move(message) + " (CAP_NET_ADMIN is needed before Linux 6.6)");
  }
  if (error == EPROTONOSUPPORT || error == EAFNOSUPPORT || error == ENOENT) {
    return unavailable(std::move(message));
  }
  if (error == ECONNREFUSED) {
    return unavailable(std::move(message) +
                       " (the process connector serves only the initial network namespace)");
  }
  return internal_error(std::move(message));
}

// Sends PROC_CN_MCAST_LISTEN or _IGNORE to the kernel, which answers every subscriber with
// `ack` + 1 (and, since Linux 6.6, its own sequence number instead of ours).
int send_multicast_op(int fd, proc_cn_mcast_op op, std::uint32_t ack) {
  constexpr std::size_t kPayload = sizeof(cn_msg) + sizeof(op);
  alignas(nlmsghdr) unsigned char buffer[NLMSG_SPACE(kPayload)] = {};
  nlmsghdr header{};
  header.nlmsg_len = NLMSG_LENGTH(kPayload);
  header.nlmsg_type = NLMSG_DONE;
  cn_msg message{};
  message.id.idx = CN_IDX_PROC;
  message.id.val = CN_VAL_PROC;
  message.ack = ack;
  message.len = sizeof(op);
  std::memcpy(buffer, &header, sizeof header);
  std::memcpy(buffer + NLMSG_HDRLEN, &message, sizeof message);
  std::memcpy(buffer + NLMSG_HDRLEN + sizeof message, &op, sizeof op);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  while (true) {
    const ssize_t sent = ::sendto(fd, buffer, header.nlmsg_len, 0,
                                  reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel);
    if (sent >= 0) return 0;
    if (errno != EINTR) return errno;
  }
}

void add(std::vector<detection::Field>& fields, std::string name, std::string value) {
  if (!value.empty()) fields.push_back({std::move(name), std::move(value)});
}

}  // namespace

Result<int> ProcessStartCollector::open_socket(int receive_buffer_bytes) {
  const int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
  if (fd < 0) return socket_error("socket", errno);
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer_bytes,
                   sizeof receive_buffer_bytes) != 0) {
    // Best effort: the kernel caps it at net.core.rmem_max.
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof receive_buffer_bytes);
  }
  return fd;
}

Result<ProcessStartCollector> ProcessStartCollector::create(ProcessStartOptions options,
                                                            int socket) {
  if (socket < 0) {
    SENTINEL_ASSIGN(opened, open_socket(options.receive_buffer_bytes));
    socket = opened;
  }
  const int fd = socket;
  ProcessStartCollector collector(fd, std::move(options));
  int granted = 0;
  socklen_t granted_size = sizeof granted;
  if (::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &granted_size) == 0 && granted > 0) {
    collector.stats_.receive_buffer_bytes = static_cast<std::uint64_t>(granted);
  }
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_groups = CN_IDX_PROC;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return socket_error("bind", errno);
  }
  if (const int error = collector.socket_.subscribe(); error != 0) {
    return socket_error("subscribe", error);
  }
  // The kernel handles the request inside sendto(), so its answer is queued by now: read up to
  // it, keeping any exec reported in between for the first drain().
  std::vector<KernelEvent> batch;
  SENTINEL_ASSIGN(answered, collector.receive(batch, /*until_acknowledged=*/true));
  collector.handle(batch, collector.pending_);
  if (!answered) {
    // The kernel ignores requests from outside the initial pid namespace; its events would carry
    // pids that this process's /proc does not show anyway.
    return unavailable(
        "process connector: no answer to the subscription (it serves only the initial pid "
        "namespace; the collector must not run in a pid namespace of its own)");
  }
  if (collector.subscription_error_ != 0) {
    return socket_error("subscribe", collector.subscription_error_);
  }
  return collector;
}

ProcessStartCollector::ProcessStartCollector(int fd, ProcessStartOptions options)
    : socket_(fd), options_(std::move(options)), user_names_(options_.passwd) {}

ProcessStartCollector::Subscription& ProcessStartCollector::Subscription::operator=(
    Subscription&& other) noexcept {
  if (this != &other) {
    Subscription old(std::move(*this));  // closes the current socket on the way out
    fd_ = std::exchange(other.fd_, -1);
    subscribed_ = std::exchange(other.subscribed_, false);
    tag_ = other.tag_;
  }
  return *this;
}

ProcessStartCollector::Subscription::~Subscription() {
  if (fd_ < 0) return;
  if (subscribed_) send_multicast_op(fd_, PROC_CN_MCAST_IGNORE, tag_);
  ::close(fd_);
}

int ProcessStartCollector::Subscription::subscribe() {
  // The socket's port id is unique among connector sockets: it tells our answer from others'.
  sockaddr_nl self{};
  socklen_t size = sizeof self;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&self), &size) != 0) return errno;
  tag_ = self.nl_pid;
  const int error = send_multicast_op(fd_, PROC_CN_MCAST_LISTEN, tag_);
  subscribed_ = error == 0;
  return error;
}

Status ProcessStartCollector::drain(std::vector<CollectedEvent>& events) {
  std::move(pending_.begin(), pending_.end(), std::back_inserter(events));
  pending_.clear();
  std::vector<KernelEvent> batch;
  SENTINEL_TRY(receive(batch, /*until_acknowledged=*/false));
  handle(batch, events);
  return ok();
}

Result<bool> ProcessStartCollector::receive(std::vector<KernelEvent>& batch,
                                            bool until_acknowledged) {
  alignas(nlmsghdr) unsigned char buffer[kDatagramBytes];
  for (std::size_t message = 0; message < options_.max_messages_per_drain; ++message) {
    sockaddr_nl sender{};
    socklen_t sender_size = sizeof sender;
    const ssize_t size = ::recvfrom(socket_.fd(), buffer, sizeof buffer, MSG_DONTWAIT,
                                    reinterpret_cast<sockaddr*>(&sender), &sender_size);
    if (size < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
      if (errno == ENOBUFS) {
        // Events were dropped, exits among them: remembered parents may now be stale.
        ++stats_.overflows;
        parents_.clear();
        continue;
      }
      return socket_error("receive", errno);
    }
    const bool acknowledged = decode(buffer, static_cast<std::size_t>(size), sender.nl_pid, batch);
    if (until_acknowledged && acknowledged) return true;
  }
  return false;
}

bool ProcessStartCollector::decode(const unsigned char* data, std::size_t size,
                                   std::uint32_t sender, std::vector<KernelEvent>& batch) {
  // Only the kernel (port 0) speaks for processes: another local process could otherwise
  // unicast made-up events to this socket.
  if (sender != 0) {
    ++stats_.malformed_messages;
    return false;
  }
  bool acknowledged = false;
  while (size >= NLMSG_HDRLEN) {
    nlmsghdr header;
    std::memcpy(&header, data, sizeof header);
    if (header.nlmsg_len < NLMSG_HDRLEN || header.nlmsg_len > size) {
      ++stats_.malformed_messages;
      break;
    }
    const std::size_t payload = header.nlmsg_len - NLMSG_HDRLEN;
    const unsigned char* body = data + NLMSG_HDRLEN;
    const std::size_t advance = std::min<std::size_t>(NLMSG_ALIGN(header.nlmsg_len), size);
    data += advance;
    size -= advance;
    if (header.nlmsg_type == NLMSG_NOOP || header.nlmsg_type == NLMSG_ERROR) continue;

    cn_msg message;
    proc_event event;
    std::memset(&event, 0, sizeof event);
    if (payload < sizeof message) {
      ++stats_.malformed_messages;
      continue;
    }
    std::memcpy(&message, body, sizeof message);
    if (message.id.idx != CN_IDX_PROC || message.id.val != CN_VAL_PROC ||
        message.len < kEventHeaderBytes || sizeof message + message.len > payload) {
      ++stats_.malformed_messages;
      continue;
    }
    const std::size_t event_bytes = std::min<std::size_t>(message.len, sizeof event);
    std::memcpy(&event, body + sizeof message, event_bytes);
    const auto has = [&](std::size_t data_bytes) {
      if (event_bytes >= kEventHeaderBytes + data_bytes) return true;
      ++stats_.malformed_messages;
      return false;
    };

    // The kernel numbers what it sends on each CPU (answers too, since Linux 6.6; before, their
    // cpu is -1): a gap is messages that never arrived.
    if (event.cpu < kMaxCpus) {
      if (last_sequence_.size() <= event.cpu) last_sequence_.resize(event.cpu + 1, -1);
      std::int64_t& last = last_sequence_[event.cpu];
      if (last >= 0) {
        const std::uint32_t gap = message.seq - static_cast<std::uint32_t>(last) - 1;
        if (gap != 0 && gap < kMaxSequenceGap) stats_.lost_events += gap;
      }
      last = message.seq;
    }
    if (event.what == proc_event::PROC_EVENT_NONE) {
      if (message.ack == socket_.tag() + 1 && has(sizeof event.event_data.ack)) {
        subscription_error_ = static_cast<int>(event.event_data.ack.err);
        acknowledged = true;
      }
      continue;  // another subscriber's answer
    }
    KernelEvent decoded;
    decoded.what = event.what;
    decoded.timestamp_ns = event.timestamp_ns;
    switch (event.what) {
      case proc_event::PROC_EVENT_FORK:
        if (!has(sizeof event.event_data.fork)) continue;
        decoded.pid = event.event_data.fork.child_pid;
        decoded.tgid = event.event_data.fork.child_tgid;
        decoded.parent_tgid = event.event_data.fork.parent_tgid;
        break;
      case proc_event::PROC_EVENT_EXEC:
        if (!has(sizeof event.event_data.exec)) continue;
        decoded.pid = event.event_data.exec.process_pid;
        decoded.tgid = event.event_data.exec.process_tgid;
        break;
      case proc_event::PROC_EVENT_EXIT:
        if (!has(sizeof event.event_data.exit)) continue;
        decoded.pid = event.event_data.exit.process_pid;
        decoded.tgid = event.event_data.exit.process_tgid;
        break;
      default:
        continue;  // uid, gid, sid, ptrace, comm, coredump changes: not ours
    }
    batch.push_back(decoded);
  }
  return acknowledged;
}

void ProcessStartCollector::handle(const std::vector<KernelEvent>& batch,
                                   std::vector<CollectedEvent>& events) {
  if (batch.empty()) return;
  user_names_.refresh();
  const std::int64_t monotonic = clock_ns(CLOCK_MONOTONIC);
  realtime_minus_monotonic_ns_ = clock_ns(CLOCK_REALTIME) - monotonic;
  boottime_minus_monotonic_ns_ = clock_ns(CLOCK_BOOTTIME) - monotonic;

  // /proc shows a process's latest image: of several execs of one process in a batch, only the
  // last may be described from it.
  std::unordered_map<std::int32_t, std::size_t> last_exec;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].what == proc_event::PROC_EVENT_EXEC) last_exec[batch[i].tgid] = i;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const KernelEvent& event = batch[i];
    switch (event.what) {
      case proc_event::PROC_EVENT_FORK:
        if (event.pid == event.tgid) remember_parent(event.tgid, event.parent_tgid);  // not threads
        break;
      case proc_event::PROC_EVENT_EXEC:
        ++stats_.execs;
        events.push_back(exec_event(event, last_exec[event.tgid] != i));
        break;
      case proc_event::PROC_EVENT_EXIT:
        if (event.pid == event.tgid) parents_.erase(event.tgid);
        break;
      default:
        break;
    }
  }
}

void ProcessStartCollector::remember_parent(std::int32_t pid, std::int32_t parent) {
  if (parents_.size() >= options_.max_remembered_parents && !parents_.contains(pid)) {
    if (parents_.empty()) return;
    parents_.erase(parents_.begin());  // any one: it only serves processes that vanish
  }
  parents_[pid] = parent;
}

CollectedEvent ProcessStartCollector::exec_event(const KernelEvent& exec, bool superseded) {
  CollectedEvent event;
  event.type = "process.start";
  event.time_ms =
      (static_cast<std::int64_t>(exec.timestamp_ns) + realtime_minus_monotonic_ns_) / 1'000'000;

  Result<ProcessDetails> details = not_found("superseded by a later exec");
  if (!superseded) details = read_process(options_.proc, exec.tgid, ProcessReadScope::kFull);
  if (details) {
    // A process that started after the exec is another one that was given the same pid.
    const std::int64_t tick_ns = 1'000'000'000 / std::max(1L, ::sysconf(_SC_CLK_TCK));
    const std::int64_t started_ns = static_cast<std::int64_t>(details->start_ticks) * tick_ns;
    const std::int64_t exec_ns =
        static_cast<std::int64_t>(exec.timestamp_ns) + boottime_minus_monotonic_ns_;
    if (started_ns > exec_ns + tick_ns) details = not_found("pid reused");
  }

  std::int64_t parent_pid = 0;
  auto& fields = event.fields;
  add(fields, "process.pid", std::to_string(exec.tgid));
  if (details) {
    parent_pid = details->parent_pid;
    add(fields, "process.executable", details->executable);
    add(fields, "process.name", details->name);
    add(fields, "process.command_line", details->command_line);
    add(fields, "process.working_directory", details->working_directory);
    if (details->command_line_truncated) ++stats_.command_lines_truncated;
  } else {
    ++stats_.vanished;
    if (const auto parent = parents_.find(exec.tgid); parent != parents_.end()) {
      parent_pid = parent->second;
    } else if (superseded) {
      const auto now = read_process(options_.proc, exec.tgid, ProcessReadScope::kIdentity);
      if (now) parent_pid = now->parent_pid;
    }
  }
  if (parent_pid > 0) {
    add(fields, "process.parent.pid", std::to_string(parent_pid));
    if (const auto parent = read_process(options_.proc, parent_pid, ProcessReadScope::kIdentity)) {
      add(fields, "process.parent.executable", parent->executable);
      add(fields, "process.parent.name", parent->name);
    }
  }
  if (details && details->uid) {
    add(fields, "user.id", std::to_string(*details->uid));
    if (const std::string* name = user_names_.find(*details->uid)) add(fields, "user.name", *name);
  }
  return event;
}

}  // namespace sentinel::agent::process
