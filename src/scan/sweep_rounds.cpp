#include "sweep_rounds.h"

#include <fmt/format.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sentinel/scan/rate_limiter.h"

namespace sentinel::scan {
namespace {

constexpr std::uint64_t kCancelTag = ~std::uint64_t{0};
constexpr int kMaxEvents = 8;
// How long a full send buffer gets to drain before the request is sent again.
constexpr std::chrono::milliseconds kBufferFullWait{1};

}  // namespace

SweepRounds::~SweepRounds() {
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (cancel_fd_ >= 0) close(cancel_fd_);
}

Status SweepRounds::open() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  cancel_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epoll_fd_ < 0 || cancel_fd_ < 0) {
    return internal_error(fmt::format("{}: epoll: {}", name_, std::strerror(errno)));
  }
  epoll_event cancel_event{.events = EPOLLIN, .data = {.u64 = kCancelTag}};
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, cancel_fd_, &cancel_event) != 0) {
    return internal_error(fmt::format("{}: epoll_ctl: {}", name_, std::strerror(errno)));
  }
  return ok();
}

Status SweepRounds::watch(int fd, std::size_t source) {
  epoll_event event{.events = EPOLLIN, .data = {.u64 = source}};
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
    return internal_error(fmt::format("{}: epoll_ctl: {}", name_, std::strerror(errno)));
  }
  sources_.push_back(source);
  return ok();
}

void SweepRounds::cancel() {
  cancelled_.store(true);
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = write(cancel_fd_, &one, sizeof(one));
}

bool SweepRounds::wait(Duration timeout, const Requests& requests) {
  epoll_event events[kMaxEvents];
  const auto milliseconds = static_cast<int>((timeout.count() + 999) / 1000);
  const int ready = epoll_wait(epoll_fd_, events, kMaxEvents, std::max(0, milliseconds));
  for (int i = 0; i < ready; ++i) {
    if (events[i].data.u64 == kCancelTag) return false;
  }
  for (const std::size_t source : sources_) requests.read_replies(source);
  return !cancelled_.load();
}

Result<ScanOutcome> SweepRounds::run(const ScanLimits& limits, RttEstimator& rtt,
                                     const Requests& requests) {
  RateLimiter rate(limits.max_rate, std::max(1.0, limits.max_rate / 200));
  for (int round = 0; round <= limits.max_retries; ++round) {
    int since_read = 0;
    TimePoint last_send{};
    for (std::uint64_t position = 0; position < requests.targets; ++position) {
      if (cancelled_.load()) return ScanOutcome::kCancelled;
      if (!requests.pending(position)) continue;
      while (!rate.try_acquire(ScanClock::now())) {
        if (!wait(rate.wait_time(ScanClock::now()), requests)) return ScanOutcome::kCancelled;
      }
      TimePoint now = ScanClock::now();
      Sent sent = requests.send(position, round, now);
      while (sent == Sent::kBufferFull) {
        if (!wait(kBufferFullWait, requests)) return ScanOutcome::kCancelled;
        now = ScanClock::now();
        sent = requests.send(position, round, now);
      }
      if (sent == Sent::kSent) {
        last_send = now;
        sent_.fetch_add(1);
      }
      if (++since_read == requests.sends_between_reads) {
        since_read = 0;
        if (!wait(Duration{0}, requests)) return ScanOutcome::kCancelled;
      }
    }
    if (last_send == TimePoint{}) break;  // everyone answered, or nothing could be sent
    // The round's last request gets its full timeout before the next round starts.
    const TimePoint round_end = last_send + rtt.timeout();
    while (ScanClock::now() < round_end) {
      if (!wait(std::chrono::duration_cast<Duration>(round_end - ScanClock::now()), requests)) {
        return ScanOutcome::kCancelled;
      }
    }
  }
  return ScanOutcome::kCompleted;
}

}  // namespace sentinel::scan
