#pragma once
// The timers of an event loop whose work sits in numbered slots (a connection, a probe in
// flight), at most one live timer per slot, in one heap: setting or cancelling a slot's timer
// makes its earlier ones stale, and stale entries are dropped as they surface instead of being
// searched for. SlotEventLoop (service detection's TCP and UDP loops) keeps its timers here.
// Not thread-safe.

#include <chrono>
#include <cstdint>
#include <optional>
#include <queue>
#include <vector>

#include "sentinel/scan/scan_clock.h"

namespace sentinel::scan {

class SlotTimers {
 public:
  explicit SlotTimers(std::size_t slots) : generations_(slots, 0) {}

  /// The slot's one live timer from now on.
  void set(std::uint32_t slot, TimePoint when) {
    timers_.push(Entry{when, slot, ++generations_[slot]});
  }

  /// The slot has no live timer any more (its work ended).
  void cancel(std::uint32_t slot) { ++generations_[slot]; }

  /// Milliseconds from `now` to the earliest live timer, rounded up (waking a little late is
  /// harmless, waking early spins); `idle_ms` when there is none.
  int next_timeout_ms(TimePoint now, int idle_ms = 1000) {
    drop_stale();
    if (timers_.empty()) return idle_ms;
    const auto left = timers_.top().when - now;
    if (left <= Duration::zero()) return 0;
    return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
  }

  /// The slot of the earliest live timer due at `now`, which stops being live; nullopt when
  /// none is due.
  std::optional<std::uint32_t> pop_due(TimePoint now) {
    drop_stale();
    if (timers_.empty() || timers_.top().when > now) return std::nullopt;
    const std::uint32_t slot = timers_.top().slot;
    timers_.pop();
    ++generations_[slot];
    return slot;
  }

 private:
  struct Entry {
    TimePoint when;
    std::uint32_t slot;
    std::uint32_t generation;
    bool operator>(const Entry& other) const { return when > other.when; }
  };

  void drop_stale() {
    while (!timers_.empty() && timers_.top().generation != generations_[timers_.top().slot]) {
      timers_.pop();
    }
  }

  std::vector<std::uint32_t> generations_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> timers_;
};

}  // namespace sentinel::scan
