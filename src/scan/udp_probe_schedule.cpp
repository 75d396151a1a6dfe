#include "udp_probe_schedule.h"

#include <algorithm>
#include <utility>

namespace sentinel::scan {
namespace {

// A host that still loses ICMP errors at the configured confirmation pace gets a slower one, up
// to this many times the configured spacing.
constexpr int kMaxIntervalFactor = 4;

bool is_loopback(IpAddress address) {
  return address.is_v4() ? (address.value() >> 24) == 127 : address.value() == 1;
}

}  // namespace

UdpProbeSchedule::UdpProbeSchedule(const TargetSet& targets, std::size_t port_count,
                                   std::uint64_t seed, const ScanLimits& limits,
                                   const IcmpRateLimitGuard& guard, std::size_t slots)
    : targets_(targets),
      limits_(limits),
      guard_(guard),
      order_(targets.size() * port_count, seed),
      total_(targets.size() * port_count),
      hosts_(static_cast<std::size_t>(targets.size())),
      slots_(std::max<std::size_t>(slots, 1)),
      cap_(slots_.size()),
      window_(CongestionOptions{limits.initial_window, 1, static_cast<double>(slots_.size())}),
      rate_(limits.max_rate, std::max(1.0, limits.max_rate / 200)),
      rtts_(limits.rtt) {
  for (Host& host : hosts_) host.unswept = static_cast<std::uint32_t>(port_count);
  free_slots_.reserve(slots_.size());
  for (std::size_t i = slots_.size(); i > 0; --i) {
    free_slots_.push_back(static_cast<std::uint32_t>(i - 1));
  }
}

std::optional<UdpProbe> UdpProbeSchedule::next(TimePoint now) {
  rate_blocked_ = false;
  if (free_slots_.empty() || in_flight_ >= std::min(window_.limit(), cap_)) return std::nullopt;
  // Confirmations first: they are few, each host's are paced anyway, and the scan's end waits
  // for them.
  while (!confirm_turns_.empty() && confirm_turns_.top().when <= now) {
    const std::uint32_t index = confirm_turns_.top().host;
    Host& host = hosts_[index];
    if (host.held_front == host.held.size()) {
      confirm_turns_.pop();
      host.queued = false;
      continue;
    }
    if (!rate_.try_acquire(now)) {
      rate_blocked_ = true;
      return std::nullopt;
    }
    confirm_turns_.pop();
    host.queued = false;
    const Job job = host.held[host.held_front++];
    if (host.held_front == host.held.size()) {
      host.held.clear();
      host.held_front = 0;
    }
    host.next_confirm = now + host.interval;
    queue_turn(index);
    return launch(job, now);
  }
  if (retries_.empty() && next_position_ == total_) return std::nullopt;
  if (!rate_.try_acquire(now)) {
    rate_blocked_ = true;
    return std::nullopt;
  }
  Job job;
  if (!retries_.empty()) {
    job = retries_.front();
    retries_.pop_front();
  } else {
    job.pair = order_.at(next_position_++);
  }
  return launch(job, now);
}

UdpProbe UdpProbeSchedule::launch(Job job, TimePoint now) {
  const std::uint32_t slot = free_slots_.back();
  free_slots_.pop_back();
  const int attempt = job.sent++;
  if (job.confirming) --job.confirms_left;
  Slot& entry = slots_[slot];
  entry = Slot{job, now, entry.generation + 1, true};
  ++in_flight_;
  const std::uint32_t host = host_of(job.pair);
  hosts_[host].last_sent = now;
  if (job.confirming) ++hosts_[host].confirming;
  timers_.push({now + rtts_.timeout(targets_.at(host)), slot, entry.generation});
  return UdpProbe{slot, job.pair, attempt};
}

std::uint32_t UdpProbeSchedule::release(std::uint32_t slot) {
  slots_[slot].busy = false;
  free_slots_.push_back(slot);
  --in_flight_;
  return slot;
}

void UdpProbeSchedule::not_sent(const UdpProbe& probe) {
  if (probe.slot >= slots_.size() || !slots_[probe.slot].busy) return;
  Job job = slots_[probe.slot].job;
  const TimePoint due = slots_[probe.slot].sent;
  release(probe.slot);
  --job.sent;
  cap_ = std::max<std::size_t>(1, in_flight_);
  if (!job.confirming) {
    retries_.push_front(job);
    return;
  }
  ++job.confirms_left;
  const std::uint32_t index = host_of(job.pair);
  Host& host = hosts_[index];
  --host.confirming;
  if (host.held_front > 0) {
    host.held[--host.held_front] = job;
  } else {
    host.held.insert(host.held.begin(), job);
  }
  host.next_confirm = due;
  queue_turn(index);
}

void UdpProbeSchedule::answered(std::uint32_t slot, UdpAnswer answer, TimePoint now) {
  if (slot >= slots_.size() || !slots_[slot].busy) return;
  const Job job = slots_[slot].job;
  const auto rtt = std::chrono::duration_cast<Duration>(now - slots_[slot].sent);
  release(slot);
  const std::uint32_t index = host_of(job.pair);
  Host& host = hosts_[index];
  window_.on_answer();
  // Resources came back; let a cap lowered by a shortage grow again, one probe at a time.
  cap_ = std::min(cap_ + 1, slots_.size());
  switch (answer) {
    case UdpAnswer::kDatagram:
      rtts_.add_sample(targets_.at(index), rtt);
      // A service answered a retransmission: the first probe or its answer was lost on the way.
      // (ICMP errors to retransmissions are mostly the target's rationing, which confirmation
      // handles per host; slowing the whole scan would not make that host send more of them.)
      if (job.sent > 1 && !job.confirming) window_.on_loss(now, rtts_.global().timeout());
      decide(job, PortState::kOpen, rtt);
      break;
    case UdpAnswer::kPortUnreachable:
      rtts_.add_sample(targets_.at(index), rtt);
      host.icmp_seen = true;
      // The error came only for a repeated confirmation probe: this host rations more tightly
      // than the pace assumed.
      if (job.confirming && guard_.confirm_attempts - job.confirms_left > 1 &&
          host.interval < guard_.confirm_interval * kMaxIntervalFactor) {
        host.interval = std::min(host.interval * 2, guard_.confirm_interval * kMaxIntervalFactor);
        host.slowed = true;
      }
      decide(job, PortState::kClosed, rtt);
      break;
    case UdpAnswer::kOtherUnreachable:
      // No RTT sample: the error may come from a router on the way, not from the host.
      host.icmp_seen = true;
      decide(job, PortState::kFiltered, Duration{0});
      break;
  }
  if (job.confirming) {
    --host.confirming;
    end_round_if_done(index);
  } else if (--host.unswept == 0) {
    leave_sweep(index, now);
  }
}

void UdpProbeSchedule::expire(TimePoint now, std::vector<std::uint32_t>& expired) {
  while (!timers_.empty() && timers_.top().when <= now) {
    const Timer timer = timers_.top();
    timers_.pop();
    const Slot& entry = slots_[timer.slot];
    if (!entry.busy || entry.generation != timer.generation) continue;  // answered already
    const Job job = entry.job;
    expired.push_back(release(timer.slot));
    // Silence is what most UDP ports answer; counting it keeps silent networks from pinning
    // the window at its start.
    window_.on_answer();
    const std::uint32_t index = host_of(job.pair);
    if (job.confirming) {
      --hosts_[index].confirming;
      if (job.confirms_left > 0) {
        hold_for_confirmation(index, job);
      } else {
        hosts_[index].silent.push_back(job);
        end_round_if_done(index);
      }
    } else if (job.sent <= limits_.max_retries) {
      retries_.push_back(job);
    } else {
      hosts_[index].held.push_back(job);
      if (--hosts_[index].unswept == 0) leave_sweep(index, now);
    }
  }
}

void UdpProbeSchedule::decide(const Job& job, PortState state, Duration rtt) {
  verdicts_.push_back({job.pair, state, rtt, job.sent});
  ++decided_;
}

void UdpProbeSchedule::leave_sweep(std::uint32_t index, TimePoint now) {
  Host& host = hosts_[index];
  if (host.held.empty()) return;
  // A host that never sent an ICMP error rationed none: its silence is the port's own.
  if (!host.icmp_seen || guard_.confirm_attempts == 0 || trusted(index)) {
    for (const Job& job : host.held) decide(job, PortState::kOpenFiltered, Duration{0});
    host.held = {};
    return;
  }
  for (Job& job : host.held) {
    job.confirming = true;
    job.confirms_left = static_cast<std::uint8_t>(guard_.confirm_attempts);
  }
  confirmed_pairs_ += host.held.size();
  host.interval = guard_.confirm_interval;
  // The sweep emptied the host's allowance; a new error is allowed one interval after it.
  host.next_confirm = std::max(now, host.last_sent + host.interval);
  queue_turn(index);
}

void UdpProbeSchedule::hold_for_confirmation(std::uint32_t index, const Job& job) {
  hosts_[index].held.push_back(job);
  queue_turn(index);
}

void UdpProbeSchedule::end_round_if_done(std::uint32_t index) {
  Host& host = hosts_[index];
  if (host.confirming > 0 || host.held_front < host.held.size()) return;
  if (host.slowed && !host.silent.empty()) {
    // Their silence was heard at a pace the host has since shown to be too fast for it.
    host.slowed = false;
    for (Job& job : host.silent) {
      job.confirms_left = static_cast<std::uint8_t>(guard_.confirm_attempts);
      host.held.push_back(job);
    }
    host.silent.clear();
    queue_turn(index);
    return;
  }
  for (const Job& job : host.silent) decide(job, PortState::kOpenFiltered, Duration{0});
  host.silent = {};
  host.slowed = false;
}

void UdpProbeSchedule::queue_turn(std::uint32_t index) {
  Host& host = hosts_[index];
  if (host.queued || host.held_front == host.held.size()) return;
  confirm_turns_.push({host.next_confirm, index});
  host.queued = true;
}

bool UdpProbeSchedule::trusted(std::uint32_t index) const {
  return guard_.trust_loopback && is_loopback(targets_.at(index));
}

std::vector<UdpVerdict> UdpProbeSchedule::take_verdicts() { return std::exchange(verdicts_, {}); }

TimePoint UdpProbeSchedule::wake_time(TimePoint now) const {
  TimePoint wake = now + std::chrono::seconds(1);
  if (!timers_.empty()) wake = std::min(wake, timers_.top().when);
  if (rate_blocked_) wake = std::min(wake, now + rate_.wait_time(now));
  if (!confirm_turns_.empty() && !free_slots_.empty() &&
      in_flight_ < std::min(window_.limit(), cap_)) {
    wake = std::min(wake, confirm_turns_.top().when);
  }
  return std::max(wake, now);
}

}  // namespace sentinel::scan
