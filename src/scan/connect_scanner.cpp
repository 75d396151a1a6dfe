#include "sentinel/scan/connect_scanner.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <limits>
#include <queue>
#include <utility>

#include "port_scan_checks.h"
#include "sentinel/scan/congestion_window.h"
#include "sentinel/scan/rate_limiter.h"
#include "socket_util.h"

namespace sentinel::scan {
namespace {

constexpr std::uint64_t kCancelTag = std::numeric_limits<std::uint64_t>::max();
constexpr int kMaxEvents = 256;
// After running out of sockets or local ports with nothing in flight, wait this long before
// trying again (something else in the process holds them).
constexpr auto kResourcePause = std::chrono::milliseconds(10);
// About 10 s of such pauses in a row: the machine is not going to give the scan a socket.
constexpr int kMaxIdleShortages = 1000;

std::int64_t steady_ns(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

/// A connection to a port on our own address from the same port: with nothing listening,
/// TCP simultaneous open connects a socket to itself. It proves the port closed, not open.
bool connected_to_itself(int fd) {
  sockaddr_storage local{};
  sockaddr_storage peer{};
  socklen_t local_length = sizeof(local);
  socklen_t peer_length = sizeof(peer);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_length) != 0) return false;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_length) != 0) return false;
  return local_length == peer_length && std::memcmp(&local, &peer, local_length) == 0;
}

}  // namespace

std::string_view to_string(PortState state) {
  switch (state) {
    case PortState::kOpen:
      return "open";
    case PortState::kClosed:
      return "closed";
    case PortState::kFiltered:
      return "filtered";
    case PortState::kOpenFiltered:
      return "open|filtered";
  }
  return "filtered";
}

/// The state of one run(): probe slots, timers, queues and timing. Lives on run()'s stack.
class ConnectScanner::Loop {
 public:
  Loop(ConnectScanner& scanner, const PortResultHandler& on_result, std::size_t slots)
      : scanner_(scanner),
        on_result_(on_result),
        limits_(scanner.options_.limits),
        slots_(slots),
        cap_(slots),
        window_(CongestionOptions{limits_.initial_window, 1, static_cast<double>(slots)}),
        rate_(limits_.max_rate, std::max(1.0, limits_.max_rate / 200)),
        rtts_(limits_.rtt) {
    free_slots_.reserve(slots);
    for (std::size_t i = slots; i > 0; --i)
      free_slots_.push_back(static_cast<std::uint32_t>(i - 1));
  }

  ~Loop() {
    for (Probe& probe : slots_) {
      if (probe.fd >= 0) close_abortively(probe.fd);
    }
  }

  Result<ScanOutcome> run() {
    const std::uint64_t total = scanner_.order_.size();
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
          complete(static_cast<std::uint32_t>(events[i].data.u64), now);
        }
        wait = Duration{0};
      } while (ready == kMaxEvents);

      const TimePoint now = ScanClock::now();
      expire(now);
      SENTINEL_TRY(launch(now));
      if (in_flight_ == 0 && retries_.empty() && next_position_ == total) {
        return ScanOutcome::kCompleted;
      }
      if (short_of_resources_ && in_flight_ == 0 && ++idle_shortages_ > kMaxIdleShortages) {
        return unavailable("the machine has no sockets or local ports left for the scan");
      }
      wait = wait_time(ScanClock::now());
    }
  }

  struct Probe {
    int fd = -1;
    std::uint64_t pair = 0;
    int attempt = 0;
    std::uint32_t generation = 0;
    TimePoint sent{};
  };
  struct Timer {
    TimePoint when;
    std::uint32_t slot;
    std::uint32_t generation;
    bool operator>(const Timer& other) const { return when > other.when; }
  };
  struct Job {
    std::uint64_t pair;
    int attempt;
  };

  IpAddress address_of(std::uint64_t pair) const {
    return scanner_.targets_.at(pair % scanner_.targets_.size());
  }
  std::uint16_t port_of(std::uint64_t pair) const {
    return scanner_.ports_[pair / scanner_.targets_.size()];
  }

  void report(std::uint64_t pair, PortState state, Duration rtt, int attempts) {
    if (state == PortState::kOpen) scanner_.open_found_.fetch_add(1);
    scanner_.pairs_done_.fetch_add(1);
    on_result_(PortResult{address_of(pair), port_of(pair), Protocol::kTcp, state, rtt, attempts});
  }

  /// An answer (connected or refused) for `job` sent at `sent`.
  void answered(const Job& job, PortState state, TimePoint sent, TimePoint now) {
    const Duration rtt = std::chrono::duration_cast<Duration>(now - sent);
    rtts_.add_sample(address_of(job.pair), rtt);
    window_.on_answer();
    // Resources came back; let the cap lowered by a shortage grow again, one probe at a time.
    cap_ = std::min(cap_ + 1, slots_.size());
    // An answer to a retransmission means the first try was lost (or the timeout too short):
    // either way, slow down.
    if (job.attempt > 0) window_.on_loss(now, rtts_.global().timeout());
    report(job.pair, state, rtt, job.attempt + 1);
  }

  void release(std::uint32_t slot) {
    slots_[slot].fd = -1;
    free_slots_.push_back(slot);
    --in_flight_;
  }

  void expire(TimePoint now) {
    while (!timers_.empty() && timers_.top().when <= now) {
      const Timer timer = timers_.top();
      timers_.pop();
      Probe& probe = slots_[timer.slot];
      if (probe.fd < 0 || probe.generation != timer.generation) continue;  // answered already
      close(probe.fd);  // still connecting: nothing to reset, no TIME_WAIT
      const Job job{probe.pair, probe.attempt};
      release(timer.slot);
      if (job.attempt < limits_.max_retries) {
        retries_.push_back({job.pair, job.attempt + 1});
      } else {
        report(job.pair, PortState::kFiltered, Duration{0}, job.attempt + 1);
      }
    }
  }

  Status launch(TimePoint now) {
    rate_blocked_ = false;
    short_of_resources_ = false;
    const std::uint64_t total = scanner_.order_.size();
    while (in_flight_ < std::min(window_.limit(), cap_)) {
      if (retries_.empty() && next_position_ == total) return ok();
      if (!rate_.try_acquire(now)) {
        rate_blocked_ = true;
        return ok();
      }
      Job job{};
      if (!retries_.empty()) {
        job = retries_.front();
        retries_.pop_front();
      } else {
        job = {scanner_.order_.at(next_position_++), 0};
      }
      SENTINEL_ASSIGN(started, start(job));
      if (!started) {
        // Out of sockets or local ports: retry this probe first, and hold fewer at once.
        retries_.push_front(job);
        cap_ = std::max<std::size_t>(1, in_flight_);
        short_of_resources_ = true;
        return ok();
      }
    }
    return ok();
  }

  /// Sends one probe. False when the machine is short of resources (the probe was not sent).
  Result<bool> start(const Job& job) {
    const IpAddress address = address_of(job.pair);
    sockaddr_storage target{};
    const socklen_t length = to_sockaddr(address, port_of(job.pair), target);
    const int fd = socket(address.is_v4() ? AF_INET : AF_INET6,
                          SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0) {
      if (is_resource_shortage(errno)) return false;
      return internal_error(fmt::format("socket() failed: {}", std::strerror(errno)));
    }
    scanner_.probes_sent_.fetch_add(1);
    // The loop's `now` is older by the probes launched before this one; RTTs need the moment.
    const TimePoint sent = ScanClock::now();
    if (connect(fd, reinterpret_cast<const sockaddr*>(&target), length) == 0) {
      const bool itself = connected_to_itself(fd);
      close_abortively(fd);
      answered(job, itself ? PortState::kClosed : PortState::kOpen, sent, ScanClock::now());
      return true;
    }
    const int error = errno;
    if (error != EINPROGRESS) {
      close(fd);
      if (is_resource_shortage(error)) {
        scanner_.probes_sent_.fetch_sub(1);
        return false;
      }
      if (error == ECONNREFUSED) {
        answered(job, PortState::kClosed, sent, ScanClock::now());
      } else {
        // Unreachable networks, local firewall refusals: no service can be reached there.
        report(job.pair, PortState::kFiltered, Duration{0}, job.attempt + 1);
      }
      return true;
    }
    const std::uint32_t slot = free_slots_.back();
    epoll_event event{};
    event.events = EPOLLOUT;
    event.data.u64 = slot;
    if (epoll_ctl(scanner_.epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
      const int ctl_error = errno;
      close(fd);
      if (ctl_error == ENOMEM || ctl_error == ENOSPC) {
        scanner_.probes_sent_.fetch_sub(1);
        return false;
      }
      return internal_error(fmt::format("epoll_ctl failed: {}", std::strerror(ctl_error)));
    }
    free_slots_.pop_back();
    Probe& probe = slots_[slot];
    probe = Probe{fd, job.pair, job.attempt, probe.generation + 1, sent};
    ++in_flight_;
    idle_shortages_ = 0;
    timers_.push({sent + rtts_.timeout(address), slot, probe.generation});
    return true;
  }

  void complete(std::uint32_t slot, TimePoint now) {
    Probe& probe = slots_[slot];
    if (probe.fd < 0) return;
    int error = 0;
    socklen_t length = sizeof(error);
    if (getsockopt(probe.fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
    const Job job{probe.pair, probe.attempt};
    const TimePoint sent = probe.sent;
    const bool itself = error == 0 && connected_to_itself(probe.fd);
    if (error == 0) {
      close_abortively(probe.fd);
    } else {
      close(probe.fd);  // refused or unreachable: the connection never existed
    }
    release(slot);
    if (error == 0) {
      answered(job, itself ? PortState::kClosed : PortState::kOpen, sent, now);
    } else if (error == ECONNREFUSED) {
      answered(job, PortState::kClosed, sent, now);
    } else {
      // EHOSTUNREACH, ENETUNREACH, ETIMEDOUT...: an ICMP error or the kernel gave up.
      report(job.pair, PortState::kFiltered, Duration{0}, job.attempt + 1);
    }
  }

  Duration wait_time(TimePoint now) const {
    TimePoint wake = now + std::chrono::seconds(1);
    if (!timers_.empty()) wake = std::min(wake, timers_.top().when);
    if (rate_blocked_) wake = std::min(wake, now + rate_.wait_time(now));
    if (short_of_resources_ && in_flight_ == 0) wake = std::min(wake, now + kResourcePause);
    return std::max(Duration{0}, std::chrono::duration_cast<Duration>(wake - now));
  }

  ConnectScanner& scanner_;
  const PortResultHandler& on_result_;
  const ScanLimits& limits_;
  std::vector<Probe> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::size_t in_flight_ = 0;
  // Probes in flight at most: the slots, lowered when the machine runs short of sockets.
  std::size_t cap_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::deque<Job> retries_;
  std::uint64_t next_position_ = 0;
  CongestionWindow window_;
  RateLimiter rate_;
  HostRttTable rtts_;
  bool rate_blocked_ = false;
  bool short_of_resources_ = false;
  // Waits in a row with nothing in flight and no socket to be had.
  int idle_shortages_ = 0;
  bool have_pwait2_ = true;
};

Result<std::unique_ptr<ConnectScanner>> ConnectScanner::create(TargetSet targets,
                                                               std::vector<std::uint16_t> tcp_ports,
                                                               const ScanScope& scope,
                                                               ConnectScanOptions options) {
  SENTINEL_TRY(check_scan_plan(targets, scope, options.limits));
  SENTINEL_TRY(check_port_list(targets, tcp_ports));

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
  return std::unique_ptr<ConnectScanner>(
      new ConnectScanner(std::move(targets), std::move(tcp_ports), options, epoll_fd, cancel_fd));
}

ConnectScanner::ConnectScanner(TargetSet targets, std::vector<std::uint16_t> ports,
                               ConnectScanOptions options, int epoll_fd, int cancel_fd)
    : targets_(std::move(targets)),
      ports_(std::move(ports)),
      options_(options),
      order_(targets_.size() * ports_.size(), options_.seed),
      epoll_fd_(epoll_fd),
      cancel_fd_(cancel_fd) {}

ConnectScanner::~ConnectScanner() {
  close(cancel_fd_);
  close(epoll_fd_);
}

Result<ScanOutcome> ConnectScanner::run(const PortResultHandler& on_result) {
  if (ran_.exchange(true)) return conflict("this scan has already run");
  started_ns_.store(steady_ns(ScanClock::now()));
  const std::size_t slots =
      std::min(options_.limits.max_concurrency, socket_budget(options_.raise_fd_limit));
  auto outcome = Loop(*this, on_result, slots).run();
  finished_ns_.store(steady_ns(ScanClock::now()));
  return outcome;
}

void ConnectScanner::cancel() {
  cancelled_.store(true);
  const std::uint64_t one = 1;
  // The eventfd wakes the loop out of epoll; if the write fails the flag is seen on the next
  // wake-up, within one timeout.
  [[maybe_unused]] const auto written = write(cancel_fd_, &one, sizeof(one));
}

ScanProgress ConnectScanner::progress() const {
  ScanProgress progress;
  progress.pairs_total = order_.size();
  progress.pairs_done = pairs_done_.load();
  progress.probes_sent = probes_sent_.load();
  progress.open_found = open_found_.load();
  const std::int64_t started = started_ns_.load();
  if (started != 0) {
    const std::int64_t finished = finished_ns_.load();
    const std::int64_t end = finished != 0 ? finished : steady_ns(ScanClock::now());
    const double seconds = static_cast<double>(end - started) / 1e9;
    if (seconds > 0)
      progress.probes_per_second = static_cast<double>(progress.probes_sent) / seconds;
  }
  return progress;
}

}  // namespace sentinel::scan
