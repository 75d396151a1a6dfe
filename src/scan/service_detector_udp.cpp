// UDP service detection: the `Probe UDP` probes of the probe file, in the order ProbeSequence
// chooses (the chooser TCP detection uses), one connected UDP socket per probe in flight, all
// ports at once in one epoll loop.

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "sentinel/scan/scan_clock.h"
#include "sentinel/scan/service_detector.h"
#include "service_probe_sequence.h"
#include "slot_event_loop.h"
#include "socket_util.h"

namespace sentinel::scan {
namespace {

// The largest datagram IPv4 or IPv6 (without jumbograms) carries.
constexpr std::size_t kMaxDatagram = 65535;
// Datagrams one probe's answer may take: a service that floods empty or tiny datagrams ends
// its probe as one that floods bytes does at max_response_bytes.
constexpr std::size_t kMaxAnswerDatagrams = 64;

}  // namespace

/// The state of run_udp(): a slot per port in progress, each with the socket of its current
/// probe, on a SlotEventLoop. Lives on run_udp()'s stack.
class ServiceDetector::UdpLoop final : public SlotWork {
 public:
  UdpLoop(ServiceDetector& detector, const ServiceResultHandler& on_result, int epoll_fd,
          std::size_t slots)
      : detector_(detector),
        options_(detector.options_),
        on_result_(on_result),
        epoll_fd_(epoll_fd),
        slots_(slots),
        datagram_(kMaxDatagram),
        events_(epoll_fd, kCancelTag, slots) {}

  ~UdpLoop() override {
    for (Slot& slot : slots_) close_socket(slot);
  }

  UdpLoop(const UdpLoop&) = delete;
  UdpLoop& operator=(const UdpLoop&) = delete;

  Status run() {
    SENTINEL_TRY(events_.run(*this));
    // Targets never admitted (cancelled) are reported too, without a service.
    while (next_target_ < detector_.udp_targets_.size()) {
      report(detector_.udp_targets_[next_target_++], std::nullopt, false);
    }
    return ok();
  }

 private:
  struct Slot {
    ServiceTarget target;
    std::optional<ProbeSequence> sequence;
    TimePoint port_deadline;
    bool answered = false;  // any datagram back, to any probe: the port is open
    // The probe in flight.
    int fd = -1;
    std::uint32_t probe = 0;  // counts probes of this slot, to tell stale events
    std::string answer;
    std::size_t datagrams = 0;
    TimePoint step_deadline;
  };

  void admit() override {
    while (next_target_ < detector_.udp_targets_.size() &&
           !detector_.cancelled_.load(std::memory_order_relaxed)) {
      const std::optional<std::uint32_t> free = events_.acquire();
      if (!free) return;
      const std::uint32_t index = *free;
      Slot& slot = slots_[index];
      slot.target = detector_.udp_targets_[next_target_++];
      slot.answered = false;
      slot.sequence.emplace(
          *detector_.probes_, Protocol::kUdp, slot.target.port,
          ProbeSequenceOptions{options_.intensity, options_.banner_wait, options_.max_probe_wait});
      slot.port_deadline = ScanClock::now() + options_.port_deadline;
      start_step(index);
    }
  }

  // Sends the sequence's current probe from a fresh socket (a fresh source port, so that a late
  // answer to the previous probe is not read as this one's), or completes the port.
  void start_step(std::uint32_t index) {
    Slot& slot = slots_[index];
    close_socket(slot);
    const std::optional<ProbeStep> step = slot.sequence->current();
    if (!step) {
      complete(index);
      return;
    }
    const ServiceTarget& target = slot.target;
    slot.fd = socket(target.address.is_v4() ? AF_INET : AF_INET6,
                     SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (slot.fd < 0) {
      // Out of sockets or memory: this machine's trouble, not the port's; report what is known.
      slot.sequence->stop();
      complete(index);
      return;
    }
    ++slot.probe;
    detector_.connections_.fetch_add(1, std::memory_order_relaxed);
    slot.answer.clear();
    slot.datagrams = 0;
    sockaddr_storage storage{};
    const socklen_t length = to_sockaddr(target.address, target.port, storage);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = SlotEventLoop::tag(index, slot.probe);
    // Connected: the kernel hands this socket only the target's datagrams and reports its ICMP
    // port unreachable as ECONNREFUSED.
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, slot.fd, &event) != 0 ||
        connect(slot.fd, reinterpret_cast<const sockaddr*>(&storage), length) != 0) {
      slot.sequence->stop();
      complete(index);
      return;
    }
    const std::string& payload = step->probe->payload;
    if (send(slot.fd, payload.data(), payload.size(), MSG_NOSIGNAL) < 0) {
      if (errno == ECONNREFUSED) {
        probe_ended(index, ProbeEnd::kConnectFailed);
      } else {
        slot.sequence->stop();
        complete(index);
      }
      return;
    }
    slot.step_deadline = ScanClock::now() + step->wait;
    set_timer(index, slot.step_deadline);
  }

  void on_ready(std::uint32_t index, std::uint32_t probe) override {
    const Slot& slot = slots_[index];
    // An event of a probe's socket closed earlier in this batch must not drive the next.
    if (slot.fd < 0 || slot.probe != probe) return;
    receive(index);
  }

  void receive(std::uint32_t index) {
    Slot& slot = slots_[index];
    const std::size_t cap = options_.max_response_bytes;
    bool received = false;
    bool refused = false;
    while (slot.answer.size() < cap && slot.datagrams < kMaxAnswerDatagrams) {
      const ssize_t n = recv(slot.fd, datagram_.data(), datagram_.size(), 0);
      if (n >= 0) {
        // A datagram longer than the room left is cut: the start is what patterns look at.
        const auto size = std::min(static_cast<std::size_t>(n), cap - slot.answer.size());
        slot.answer.append(datagram_.data(), size);
        ++slot.datagrams;
        received = true;
        continue;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      // ECONNREFUSED (port unreachable) or another ICMP error the kernel reports.
      refused = true;
      break;
    }
    if (received) {
      slot.answered = true;
      if (slot.sequence->on_answer(slot.answer)) {
        start_step(index);
        return;
      }
    }
    if (refused) return probe_ended(index, ProbeEnd::kConnectFailed);
    if (slot.answer.size() >= cap || slot.datagrams >= kMaxAnswerDatagrams) {
      return probe_ended(index, ProbeEnd::kCapped);
    }
    if (received) {
      // More datagrams may follow (a long answer in several); wait a quiet spell, not the
      // whole probe wait.
      const TimePoint quiet = ScanClock::now() + options_.answer_quiet;
      if (quiet < slot.step_deadline) set_timer(index, quiet);
    }
  }

  void probe_ended(std::uint32_t index, ProbeEnd end) {
    Slot& slot = slots_[index];
    slot.sequence->on_end(slot.answer, end);
    start_step(index);
  }

  void complete(std::uint32_t index) {
    Slot& slot = slots_[index];
    close_socket(slot);
    report(slot.target, slot.sequence->service(), slot.answered);
    slot.sequence.reset();
    slot.answer = std::string();
    events_.release(index);
  }

  void report(const ServiceTarget& target, std::optional<ServiceInfo> service, bool answered) {
    ServiceResult result;
    result.address = target.address;
    result.port.port = target.port;
    result.port.protocol = Protocol::kUdp;
    result.port.state = answered ? PortState::kOpen : target.state;
    if (answered) result.port.reason = "udp-response";
    if (service) detector_.identified_.fetch_add(1, std::memory_order_relaxed);
    result.port.service = std::move(service);
    detector_.done_.fetch_add(1, std::memory_order_relaxed);
    if (on_result_) on_result_(result);
  }

  void close_socket(Slot& slot) {
    if (slot.fd >= 0) close(slot.fd);  // also leaves the epoll set
    slot.fd = -1;
  }

  // The slot's one live timer, never past its port's deadline.
  void set_timer(std::uint32_t index, TimePoint when) {
    events_.set_timer(index, std::min(when, slots_[index].port_deadline));
  }

  void on_timer(std::uint32_t index, TimePoint now) override {
    if (now >= slots_[index].port_deadline) {
      on_cancel(index);  // out of time for this port: report what is known
    } else {
      probe_ended(index, ProbeEnd::kTimeout);
    }
  }

  void on_cancel(std::uint32_t index) override {
    slots_[index].sequence->stop();
    complete(index);
  }

  ServiceDetector& detector_;
  const ServiceDetectionOptions& options_;
  const ServiceResultHandler& on_result_;
  int epoll_fd_;
  std::vector<Slot> slots_;
  std::vector<char> datagram_;  // one receive buffer for every socket
  std::size_t next_target_ = 0;
  SlotEventLoop events_;
};

Status ServiceDetector::run_udp(const ServiceResultHandler& on_result, int epoll_fd) {
  const std::size_t slots = std::max<std::size_t>(
      1, std::min({options_.max_concurrency, socket_budget(false), udp_targets_.size()}));
  UdpLoop loop(*this, on_result, epoll_fd, slots);
  return loop.run();
}

}  // namespace sentinel::scan
