#include "slot_event_loop.h"

#include <fmt/format.h>
#include <sys/epoll.h>

#include <cerrno>
#include <cstring>

namespace sentinel::scan {
namespace {

constexpr int kMaxEvents = 256;

}  // namespace

SlotEventLoop::SlotEventLoop(int epoll_fd, std::uint64_t cancel_tag, std::size_t slots)
    : epoll_fd_(epoll_fd), cancel_tag_(cancel_tag), busy_(slots, false), timers_(slots) {
  // The lowest slot first.
  for (std::size_t i = slots; i > 0; --i) free_.push_back(static_cast<std::uint32_t>(i - 1));
}

std::optional<std::uint32_t> SlotEventLoop::acquire() {
  if (free_.empty()) return std::nullopt;
  const std::uint32_t slot = free_.back();
  free_.pop_back();
  busy_[slot] = true;
  ++busy_count_;
  return slot;
}

void SlotEventLoop::release(std::uint32_t slot) {
  timers_.cancel(slot);
  busy_[slot] = false;
  --busy_count_;
  free_.push_back(slot);
}

Status SlotEventLoop::run(SlotWork& work) {
  work.admit();
  epoll_event events[kMaxEvents];
  while (busy_count_ > 0) {
    const int count =
        epoll_wait(epoll_fd_, events, kMaxEvents, timers_.next_timeout_ms(ScanClock::now()));
    if (count < 0 && errno != EINTR) {
      return internal_error(fmt::format("epoll_wait: {}", std::strerror(errno)));
    }
    for (int i = 0; i < count; ++i) {
      const std::uint64_t tag = events[i].data.u64;
      if (tag == cancel_tag_) {
        for (std::uint32_t slot = 0; slot < busy_.size(); ++slot) {
          if (busy_[slot]) work.on_cancel(slot);
        }
        break;
      }
      const auto slot = static_cast<std::uint32_t>(tag);
      if (slot < busy_.size() && busy_[slot]) {
        work.on_ready(slot, static_cast<std::uint32_t>(tag >> 32));
      }
    }
    const TimePoint now = ScanClock::now();
    while (const std::optional<std::uint32_t> slot = timers_.pop_due(now)) {
      work.on_timer(*slot, now);
    }
    work.admit();
  }
  return ok();
}

}  // namespace sentinel::scan
