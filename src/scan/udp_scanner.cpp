#include "sentinel/scan/udp_scanner.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include "port_scan_checks.h"
#include "socket_util.h"
#include "udp_probe_schedule.h"

namespace sentinel::scan {
namespace {

constexpr std::uint64_t kCancelTag = std::numeric_limits<std::uint64_t>::max();
constexpr int kMaxEvents = 256;
// After running out of sockets or local ports with nothing in flight, wait this long before
// trying again (something else in the process holds them).
constexpr auto kResourcePause = std::chrono::milliseconds(10);
// About 10 s of such pauses in a row: the machine is not going to give the scan a socket.
constexpr int kMaxIdleShortages = 1000;
constexpr auto kMaxConfirmInterval = std::chrono::seconds(60);

std::int64_t steady_ns(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

Status check_guard(const IcmpRateLimitGuard& guard) {
  if (guard.confirm_attempts < 0 || guard.confirm_attempts > kMaxRetries) {
    return invalid_argument("icmp.confirm_attempts must be from 0 to 10", "icmp.confirm_attempts");
  }
  if (guard.confirm_interval <= Duration{0} || guard.confirm_interval > kMaxConfirmInterval) {
    return invalid_argument("icmp.confirm_interval must be above 0 and at most 60 s",
                            "icmp.confirm_interval");
  }
  return ok();
}

/// Asks the kernel for every ICMP error on the socket, not only the "hard" ones a connected UDP
/// socket gets anyway (port unreachable, administratively prohibited): host and network
/// unreachable then end the probe as filtered instead of waiting for its timeout.
void receive_all_errors(int fd, bool v4) {
  const int on = 1;
  if (v4) {
    setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
  } else {
    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on));
  }
}

}  // namespace

/// The sockets of one run(): a connected UDP socket per probe in flight, indexed by the
/// schedule's slots. Lives on run()'s stack.
class UdpScanner::Loop {
 public:
  Loop(UdpScanner& scanner, const PortResultHandler& on_result, std::size_t slots)
      : scanner_(scanner),
        on_result_(on_result),
        schedule_(scanner.targets_, scanner.ports_.size(), scanner.options_.seed,
                  scanner.options_.limits, scanner.options_.icmp, slots),
        fds_(slots, -1) {}

  ~Loop() {
    for (const int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }

  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  Result<ScanOutcome> run() {
    epoll_event events[kMaxEvents];
    Duration wait{0};
    while (true) {
      if (scanner_.cancelled_.load()) return ScanOutcome::kCancelled;
      // Every answer that has arrived is collected before timers fire, so that a busy loop
      // does not take a late-read answer for a lost probe.
      int ready = 0;
      do {
        ready = wait_for_events(scanner_.epoll_fd_, events, kMaxEvents, wait, have_pwait2_);
        if (ready < 0) {
          if (errno != EINTR) {
            return internal_error(
                fmt::format("waiting for sockets failed: {}", std::strerror(errno)));
          }
          ready = 0;
        }
        const TimePoint now = ScanClock::now();
        for (int i = 0; i < ready; ++i) {
          if (events[i].data.u64 == kCancelTag) return ScanOutcome::kCancelled;
          receive(static_cast<std::uint32_t>(events[i].data.u64), now);
        }
        wait = Duration{0};
      } while (ready == kMaxEvents);

      expired_.clear();
      schedule_.expire(ScanClock::now(), expired_);
      for (const std::uint32_t slot : expired_) close_slot(slot);
      SENTINEL_TRY(launch());
      report();
      if (schedule_.finished()) return ScanOutcome::kCompleted;
      if (short_of_resources_ && schedule_.in_flight() == 0 &&
          ++idle_shortages_ > kMaxIdleShortages) {
        return unavailable("the machine has no sockets left for the scan");
      }
      const TimePoint now = ScanClock::now();
      TimePoint wake = schedule_.wake_time(now);
      if (short_of_resources_ && schedule_.in_flight() == 0) {
        wake = std::min(wake, now + kResourcePause);
      }
      wait = std::chrono::duration_cast<Duration>(wake - now);
    }
  }

 private:
  void close_slot(std::uint32_t slot) {
    if (fds_[slot] >= 0) close(fds_[slot]);
    fds_[slot] = -1;
  }

  void report() {
    for (const UdpVerdict& verdict : schedule_.take_verdicts()) {
      const std::uint64_t hosts = scanner_.targets_.size();
      if (verdict.state == PortState::kOpen) scanner_.open_found_.fetch_add(1);
      scanner_.pairs_done_.fetch_add(1);
      on_result_(PortResult{scanner_.targets_.at(verdict.pair % hosts),
                            scanner_.ports_[verdict.pair / hosts], Protocol::kUdp, verdict.state,
                            verdict.rtt, verdict.attempts});
    }
  }

  Status launch() {
    short_of_resources_ = false;
    while (const auto probe = schedule_.next(ScanClock::now())) {
      SENTINEL_ASSIGN(sent, send(*probe));
      if (!sent) {
        schedule_.not_sent(*probe);
        short_of_resources_ = true;
        return ok();
      }
      idle_shortages_ = 0;
    }
    return ok();
  }

  /// Sends one probe from a new connected socket. False when the machine is short of resources
  /// (nothing was sent).
  Result<bool> send(const UdpProbe& probe) {
    const std::uint64_t hosts = scanner_.targets_.size();
    const IpAddress address = scanner_.targets_.at(probe.pair % hosts);
    const std::size_t port_index = probe.pair / hosts;
    sockaddr_storage target{};
    const socklen_t length = to_sockaddr(address, scanner_.ports_[port_index], target);
    const int fd = socket(address.is_v4() ? AF_INET : AF_INET6,
                          SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
    if (fd < 0) {
      if (is_resource_shortage(errno)) return false;
      return internal_error(fmt::format("socket() failed: {}", std::strerror(errno)));
    }
    receive_all_errors(fd, address.is_v4());
    // connect() fixes the peer: the kernel then delivers only that peer's datagrams and the ICMP
    // errors about our datagrams to it, so nothing else can answer for the port.
    if (connect(fd, reinterpret_cast<const sockaddr*>(&target), length) != 0) {
      const int error = errno;
      close(fd);
      if (is_resource_shortage(error)) return false;
      // No route, or a local firewall refusing: no service can be reached there.
      schedule_.answered(probe.slot, UdpAnswer::kOtherUnreachable, ScanClock::now());
      return true;
    }
    const auto& payloads = scanner_.port_payloads_[port_index];
    const std::string_view payload =
        payloads.empty() ? std::string_view{}
                         : payloads[static_cast<std::size_t>(probe.attempt) % payloads.size()];
    if (::send(fd, payload.data(), payload.size(), 0) < 0) {
      const int error = errno;
      close(fd);
      if (is_resource_shortage(error)) return false;
      schedule_.answered(
          probe.slot,
          error == ECONNREFUSED ? UdpAnswer::kPortUnreachable : UdpAnswer::kOtherUnreachable,
          ScanClock::now());
      return true;
    }
    scanner_.probes_sent_.fetch_add(1);
    epoll_event event{};
    event.events = EPOLLIN;  // errors (EPOLLERR) are always reported
    event.data.u64 = probe.slot;
    if (epoll_ctl(scanner_.epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
      const int error = errno;
      close(fd);
      if (error == ENOMEM || error == ENOSPC) {
        scanner_.probes_sent_.fetch_sub(1);
        return false;
      }
      return internal_error(fmt::format("epoll_ctl failed: {}", std::strerror(error)));
    }
    fds_[probe.slot] = fd;
    return true;
  }

  void receive(std::uint32_t slot, TimePoint now) {
    if (slot >= fds_.size() || fds_[slot] < 0) return;
    char byte = 0;
    // One byte is enough: any datagram, even an empty one, means a service answered.
    const ssize_t received = recv(fds_[slot], &byte, sizeof(byte), MSG_TRUNC);
    UdpAnswer answer = UdpAnswer::kDatagram;
    if (received < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      answer = errno == ECONNREFUSED ? UdpAnswer::kPortUnreachable : UdpAnswer::kOtherUnreachable;
    }
    close_slot(slot);
    schedule_.answered(slot, answer, now);
  }

  UdpScanner& scanner_;
  const PortResultHandler& on_result_;
  UdpProbeSchedule schedule_;
  std::vector<int> fds_;
  std::vector<std::uint32_t> expired_;
  bool short_of_resources_ = false;
  // Waits in a row with nothing in flight and no socket to be had.
  int idle_shortages_ = 0;
  bool have_pwait2_ = true;
};

Result<std::unique_ptr<UdpScanner>> UdpScanner::create(TargetSet targets,
                                                       std::vector<std::uint16_t> udp_ports,
                                                       const ScanScope& scope,
                                                       UdpScanOptions options) {
  SENTINEL_TRY(check_scan_plan(targets, scope, options.limits));
  if (targets.size() > kMaxUdpScanTargets) {
    return invalid_argument(
        fmt::format("a UDP scan takes at most {} addresses; split the job into shards",
                    kMaxUdpScanTargets),
        "targets");
  }
  SENTINEL_TRY(check_port_list(targets, udp_ports, Protocol::kUdp));
  SENTINEL_TRY(check_guard(options.icmp));
  if (!options.payloads) {
    options.payloads = std::make_shared<const UdpPayloads>(UdpPayloads::system_or_builtin());
  }

  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) return internal_error(fmt::format("epoll_create1: {}", std::strerror(errno)));
  const int cancel_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (cancel_fd < 0) {
    close(epoll_fd);
    return internal_error(fmt::format("eventfd: {}", std::strerror(errno)));
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kCancelTag;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, cancel_fd, &event) != 0) {
    close(cancel_fd);
    close(epoll_fd);
    return internal_error(fmt::format("epoll_ctl: {}", std::strerror(errno)));
  }
  return std::unique_ptr<UdpScanner>(new UdpScanner(std::move(targets), std::move(udp_ports),
                                                    std::move(options), epoll_fd, cancel_fd));
}

UdpScanner::UdpScanner(TargetSet targets, std::vector<std::uint16_t> ports, UdpScanOptions options,
                       int epoll_fd, int cancel_fd)
    : targets_(std::move(targets)),
      ports_(std::move(ports)),
      options_(std::move(options)),
      epoll_fd_(epoll_fd),
      cancel_fd_(cancel_fd) {
  port_payloads_.reserve(ports_.size());
  for (const std::uint16_t port : ports_)
    port_payloads_.push_back(options_.payloads->for_port(port));
}

UdpScanner::~UdpScanner() {
  close(cancel_fd_);
  close(epoll_fd_);
}

Result<ScanOutcome> UdpScanner::run(const PortResultHandler& on_result) {
  if (ran_.exchange(true)) return conflict("this scan has already run");
  if (cancelled_.load()) return ScanOutcome::kCancelled;
  started_ns_.store(steady_ns(ScanClock::now()));
  const std::size_t slots =
      std::min(options_.limits.max_concurrency, socket_budget(options_.raise_fd_limit));
  auto outcome = Loop(*this, on_result, slots).run();
  finished_ns_.store(steady_ns(ScanClock::now()));
  return outcome;
}

void UdpScanner::cancel() {
  cancelled_.store(true);
  const std::uint64_t one = 1;
  // The eventfd wakes the loop out of epoll; if the write fails the flag is seen on the next
  // wake-up, within a second.
  [[maybe_unused]] const auto written = write(cancel_fd_, &one, sizeof(one));
}

ScanProgress UdpScanner::progress() const {
  ScanProgress progress;
  progress.pairs_total = targets_.size() * ports_.size();
  progress.pairs_done = pairs_done_.load();
  progress.probes_sent = probes_sent_.load();
  progress.open_found = open_found_.load();
  const std::int64_t started = started_ns_.load();
  if (started != 0) {
    const std::int64_t finished = finished_ns_.load();
    const std::int64_t end = finished != 0 ? finished : steady_ns(ScanClock::now());
    const double seconds = static_cast<double>(end - started) / 1e9;
    if (seconds > 0) {
      progress.probes_per_second = static_cast<double>(progress.probes_sent) / seconds;
    }
  }
  return progress;
}

}  // namespace sentinel::scan
