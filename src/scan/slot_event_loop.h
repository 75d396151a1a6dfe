#pragma once
// The epoll loop of work held in numbered slots (a TCP connection, a UDP probe in flight): it
// waits for the slots' sockets, their timers and a cancel event, hands each ready socket to its
// slot, runs the due timers and lets the owner start new work, until no slot is busy. Service
// detection's TCP loop (service_detector.cpp) and UDP loop (service_detector_udp.cpp) run on it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/scan_clock.h"
#include "slot_timers.h"

namespace sentinel::scan {

/// The work in the slots of a SlotEventLoop, which calls it on the loop's thread.
class SlotWork {
 public:
  virtual ~SlotWork() = default;

  /// Starts work in free slots (SlotEventLoop::acquire) while there is work to start.
  virtual void admit() = 0;
  /// A socket registered with SlotEventLoop::tag(slot, generation) is ready. The generation
  /// tells an event of a socket that the slot closed earlier in the same batch from one of its
  /// current socket: only the slot knows which generation is current.
  virtual void on_ready(std::uint32_t slot, std::uint32_t generation) = 0;
  /// The slot's timer is due.
  virtual void on_timer(std::uint32_t slot, TimePoint now) = 0;
  /// The run is cancelled: end the busy slot's work now (and release the slot).
  virtual void on_cancel(std::uint32_t slot) = 0;

 protected:
  SlotWork() = default;
  SlotWork(const SlotWork&) = default;
  SlotWork& operator=(const SlotWork&) = default;
};

/// The slots (free or busy), their timers (SlotTimers: one live timer per slot) and the
/// dispatch of one epoll set, which it uses but does not own. Not thread-safe: one loop thread.
class SlotEventLoop {
 public:
  /// `cancel_tag`: the epoll data of the cancel event already in `epoll_fd`'s set; it must not
  /// be a value tag() can return.
  SlotEventLoop(int epoll_fd, std::uint64_t cancel_tag, std::size_t slots);

  /// The epoll data that routes a socket's events to `slot`, with `generation` for on_ready.
  static std::uint64_t tag(std::uint32_t slot, std::uint32_t generation) {
    return (std::uint64_t{generation} << 32) | slot;
  }

  /// A free slot, busy from now on; nullopt when every slot is busy.
  std::optional<std::uint32_t> acquire();
  /// The slot's work ended: its timer is cancelled and the slot is free again.
  void release(std::uint32_t slot);
  bool busy(std::uint32_t slot) const { return busy_[slot]; }
  /// The slot's one live timer from now on.
  void set_timer(std::uint32_t slot, TimePoint when) { timers_.set(slot, when); }

  /// Admits work, then dispatches events and timers (and admits again after each batch) until
  /// no slot is busy. A cancel event ends every busy slot's work (on_cancel) and the batch.
  /// An epoll failure is an internal error; the slots' work is then the caller's to end.
  Status run(SlotWork& work);

 private:
  int epoll_fd_;
  std::uint64_t cancel_tag_;
  std::vector<bool> busy_;
  std::vector<std::uint32_t> free_;
  std::size_t busy_count_ = 0;
  SlotTimers timers_;
};

}  // namespace sentinel::scan
