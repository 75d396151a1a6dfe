#pragma once
// The decisions of a UDP scan without its sockets: which probe goes out next, what an answer or
// a silence means, and which silent ports must be asked again, slowly, because their host may
// have been rationing its ICMP errors. Pure (`now` is a parameter), so unit tests drive it
// against a simulated rate-limiting host.

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <queue>
#include <vector>

#include "sentinel/scan/congestion_window.h"
#include "sentinel/scan/keyed_permutation.h"
#include "sentinel/scan/rate_limiter.h"
#include "sentinel/scan/rtt_estimator.h"
#include "sentinel/scan/target_set.h"
#include "sentinel/scan/udp_scanner.h"

namespace sentinel::scan {

/// A probe to send now. `pair` indexes targets × ports (host = pair % hosts, port index =
/// pair / hosts); `attempt` counts this pair's probes before this one and picks its payload.
struct UdpProbe {
  std::uint32_t slot = 0;
  std::uint64_t pair = 0;
  int attempt = 0;
};

/// What came back on a probe's socket.
enum class UdpAnswer : std::uint8_t {
  kDatagram,          // the service answered: open
  kPortUnreachable,   // ECONNREFUSED: closed
  kOtherUnreachable,  // another ICMP error, or no route at all: filtered
};

/// A pair's final state.
struct UdpVerdict {
  std::uint64_t pair = 0;
  PortState state = PortState::kOpenFiltered;
  Duration rtt{0};
  int attempts = 0;
};

/// The scan's state: pairs to sweep, probes in flight (a slot each), timers, per-host RTT and
/// confirmation queues, the congestion window and the rate cap. Sweep: every pair gets up to
/// 1 + max_retries probes. A pair silent through all of them is held by its host; when the
/// host's last pair leaves the sweep, the held pairs become open|filtered at once if the host
/// never sent an ICMP error (nothing was rationed) or is trusted, and otherwise are confirmed
/// with `guard.confirm_attempts` probes spaced `guard.confirm_interval` apart for that host.
/// A port unreachable that answers only a repeated confirmation probe means the host rations
/// more tightly: its spacing doubles (up to four times), and the pairs still silent at the end
/// of that round are confirmed again at the new spacing before they count as open|filtered.
/// Not thread-safe: owned by the scan loop.
class UdpProbeSchedule {
 public:
  /// `slots` bounds the probes in flight (at least 1). `targets` must outlive the schedule.
  UdpProbeSchedule(const TargetSet& targets, std::size_t port_count, std::uint64_t seed,
                   const ScanLimits& limits, const IcmpRateLimitGuard& guard, std::size_t slots);

  /// The next probe to send at `now`, or nullopt when the window, the rate cap, a host's
  /// confirmation pace or the work left says to wait.
  std::optional<UdpProbe> next(TimePoint now);
  /// `probe` could not be sent (the machine is short of sockets): it goes back to the front of
  /// its queue and the probes in flight are capped at those now in flight.
  void not_sent(const UdpProbe& probe);
  /// What came back at `now` for the probe in `slot`; ignored for a slot not in flight.
  void answered(std::uint32_t slot, UdpAnswer answer, TimePoint now);
  /// Ends the probes whose timeout has passed by `now`, appending their slots to `expired` (the
  /// caller closes their sockets).
  void expire(TimePoint now, std::vector<std::uint32_t>& expired);
  /// Verdicts decided since the last call, oldest first.
  std::vector<UdpVerdict> take_verdicts();

  /// When next() or expire() may have something to do, at most a second after `now`.
  TimePoint wake_time(TimePoint now) const;
  bool finished() const { return decided_ == total_; }
  std::uint64_t total() const { return total_; }
  std::size_t in_flight() const { return in_flight_; }
  /// Pairs that were silent in the sweep and were probed again to confirm it.
  std::uint64_t confirmed_pairs() const { return confirmed_pairs_; }

 private:
  struct Job {
    std::uint64_t pair = 0;
    std::uint16_t sent = 0;          // probes sent for the pair, sweep and confirmation
    std::uint8_t confirms_left = 0;  // confirmation probes still to send
    bool confirming = false;
  };
  struct Slot {
    Job job;
    TimePoint sent{};
    std::uint32_t generation = 0;
    bool busy = false;
  };
  struct Timer {
    TimePoint when;
    std::uint32_t slot = 0;
    std::uint32_t generation = 0;
    bool operator>(const Timer& other) const { return when > other.when; }
  };
  struct HostTurn {
    TimePoint when;
    std::uint32_t host = 0;
    bool operator>(const HostTurn& other) const { return when > other.when; }
  };
  struct Host {
    std::uint32_t unswept = 0;     // pairs still in the sweep: no verdict and not held
    std::uint32_t confirming = 0;  // confirmation probes in flight
    bool icmp_seen = false;        // it has sent an ICMP error, so it may ration them
    bool queued = false;           // in confirm_turns_
    bool slowed = false;           // its spacing grew during this confirmation round
    Duration interval{0};          // spacing of its confirmation probes
    TimePoint last_sent{};
    TimePoint next_confirm{};
    std::uint32_t held_front = 0;  // held[held_front..] wait for confirmation
    std::vector<Job> held;
    std::vector<Job> silent;  // silent through this round's confirmation probes
  };

  std::uint32_t host_of(std::uint64_t pair) const {
    return static_cast<std::uint32_t>(pair % hosts_.size());
  }
  UdpProbe launch(Job job, TimePoint now);
  std::uint32_t release(std::uint32_t slot);
  void decide(const Job& job, PortState state, Duration rtt);
  void leave_sweep(std::uint32_t host, TimePoint now);
  void hold_for_confirmation(std::uint32_t host, const Job& job);
  void end_round_if_done(std::uint32_t host);
  void queue_turn(std::uint32_t host);
  bool trusted(std::uint32_t host) const;

  const TargetSet& targets_;
  ScanLimits limits_;
  IcmpRateLimitGuard guard_;
  KeyedPermutation order_;
  std::uint64_t total_;
  std::uint64_t next_position_ = 0;
  std::uint64_t decided_ = 0;
  std::uint64_t confirmed_pairs_ = 0;
  std::vector<Host> hosts_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::size_t in_flight_ = 0;
  // Probes in flight at most: the slots, lowered when the machine runs short of sockets.
  std::size_t cap_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::priority_queue<HostTurn, std::vector<HostTurn>, std::greater<>> confirm_turns_;
  std::deque<Job> retries_;
  std::vector<UdpVerdict> verdicts_;
  CongestionWindow window_;
  RateLimiter rate_;
  HostRttTable rtts_;
  bool rate_blocked_ = false;
};

}  // namespace sentinel::scan
