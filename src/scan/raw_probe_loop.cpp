#include "raw_probe_loop.h"

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

#include "probe_table.h"
#include "reply_filter.h"
#include "sentinel/scan/congestion_window.h"
#include "sentinel/scan/rate_limiter.h"
#include "source_addresses.h"

namespace sentinel::scan {
namespace {

constexpr std::uint64_t kCancelTag = 0;
constexpr std::uint64_t kRingV4Tag = 1;
constexpr std::uint64_t kRingV6Tag = 2;
constexpr std::uint16_t kNoProbe = std::numeric_limits<std::uint16_t>::max();
// After the kernel ran out of send buffers, wait this long before sending again.
constexpr auto kBufferPause = std::chrono::milliseconds(1);
// The longest a loop sleeps without a reason, so that a lost wake-up costs little.
constexpr auto kMaxSleep = std::chrono::milliseconds(200);
// Full batches one launch() may send before it returns to the loop (cancel, timers): 4,096
// probes, a few milliseconds.
constexpr int kBatchesPerLaunch = 16;

std::int64_t steady_ns(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

bool out_of_buffers(int error) {
  return error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS || error == ENOMEM;
}

Error with_reason(Error error, std::string_view reason) {
  error.reason = std::string(reason);
  return error;
}

/// Binds a TCP socket to a kernel-chosen port on every address and does not listen: the port
/// is ours for the scan (no connect() gets it), and the kernel still answers SYN-ACKs sent to
/// it with a reset, which frees the half-open connection on the target.
Result<std::pair<int, std::uint16_t>> reserve_port() {
  int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    const int off = 0;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
    sockaddr_in6 any{};
    any.sin6_family = AF_INET6;
    if (bind(fd, reinterpret_cast<const sockaddr*>(&any), sizeof(any)) != 0) {
      close(fd);
      fd = -1;
    }
  }
  if (fd < 0) {  // no IPv6 on this machine
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return internal_error(fmt::format("socket: {}", std::strerror(errno)));
    sockaddr_in any{};
    any.sin_family = AF_INET;
    if (bind(fd, reinterpret_cast<const sockaddr*>(&any), sizeof(any)) != 0) {
      const int error = errno;
      close(fd);
      return unavailable(fmt::format("no free local port: {}", std::strerror(error)));
    }
  }
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    const int error = errno;
    close(fd);
    return internal_error(fmt::format("getsockname: {}", std::strerror(error)));
  }
  const std::uint16_t port =
      ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                        : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return std::pair<int, std::uint16_t>{fd, port};
}

bool has_family(const TargetSet& targets, AddressFamily family) {
  return std::any_of(targets.ranges().begin(), targets.ranges().end(),
                     [&](const AddressRange& range) { return range.first.family() == family; });
}

}  // namespace

/// The state of one run(): slots of probes in flight, timers, pending jobs and timing. Lives on
/// run()'s stack.
class RawProbeLoop::Run {
 public:
  Run(RawProbeLoop& loop, const ProbeOutcomeHandler& on_outcome, const HostSettled& settled)
      : loop_(loop),
        on_outcome_(on_outcome),
        settled_(settled),
        limits_(loop.limits_),
        hosts_(loop.targets_.size()),
        total_(loop.order_.size()),
        slots_(limits_.max_concurrency),
        table_(limits_.max_concurrency),
        window_(CongestionOptions{limits_.initial_window, 1,
                                  static_cast<double>(limits_.max_concurrency)}),
        rate_(limits_.max_rate, std::max(1.0, limits_.max_rate / 200)),
        rtts_(limits_.rtt),
        sources_(hosts_),
        probe_by_port_(65536, kNoProbe),
        on_send_failure_([this](std::uint32_t slot, int error) { send_failed(slot, error); }) {
    free_slots_.reserve(slots_.size());
    for (std::size_t i = slots_.size(); i > 0; --i) {
      free_slots_.push_back(static_cast<std::uint32_t>(i - 1));
    }
    for (std::size_t i = 0; i < loop_.probes_.size(); ++i) {
      const ProbeSpec& spec = loop_.probes_[i];
      if (spec.kind == ProbeKind::kIcmpEcho) {
        echo_probe_ = i;
      } else {
        probe_by_port_[spec.port] = static_cast<std::uint16_t>(i);
      }
    }
    batch_slots_.reserve(2 * kSendBatch);
  }

  Result<ScanOutcome> run() {
    epoll_event events[4];
    int wait_ms = 0;
    while (true) {
      if (loop_.cancelled_.load()) return ScanOutcome::kCancelled;
      const int ready = epoll_wait(loop_.epoll_fd_, events, 4, wait_ms);
      if (ready < 0 && errno != EINTR) {
        return internal_error(fmt::format("waiting for replies failed: {}", std::strerror(errno)));
      }
      for (int i = 0; i < ready; ++i) {
        if (events[i].data.u64 == kCancelTag) return ScanOutcome::kCancelled;
      }
      // Answers first, then timers: an answer read late is still an answer, not a loss.
      TimePoint now = ScanClock::now();
      drain(now);
      expire(now);
      launch(now);
      if (in_flight_ == 0 && pending_.empty() && next_position_ == total_) {
        return ScanOutcome::kCompleted;
      }
      wait_ms = wait_time(ScanClock::now());
    }
  }

 private:
  struct Slot {
    std::uint64_t pair = 0;
    TimePoint sent{};
    std::uint32_t generation = 0;
    std::uint8_t attempt = 0;
    bool busy = false;
  };
  struct Timer {
    TimePoint when;
    std::uint32_t slot;
    std::uint32_t generation;
    bool operator>(const Timer& other) const { return when > other.when; }
  };
  struct Job {
    std::uint64_t pair;
    std::uint8_t attempt;
  };
  /// An answer matched to its probe.
  struct Match {
    std::uint64_t pair = 0;
    std::uint8_t attempt = 0;
    ProbeAnswer answer = ProbeAnswer::kNoAnswer;
    IpAddress responder;
    std::uint8_t icmp_type = 0;
    std::uint8_t icmp_code = 0;
  };

  std::uint64_t host_of(std::uint64_t pair) const { return pair % hosts_; }
  std::size_t probe_of(std::uint64_t pair) const { return static_cast<std::size_t>(pair / hosts_); }

  void report(std::uint64_t pair, ProbeAnswer answer, Duration rtt, int attempts,
              IpAddress responder = {}, std::uint8_t icmp_type = 0, std::uint8_t icmp_code = 0) {
    loop_.pairs_done_.fetch_add(1, std::memory_order_relaxed);
    const std::uint64_t host_index = host_of(pair);
    on_outcome_(ProbeOutcome{host_index, loop_.targets_.at(host_index), probe_of(pair), answer, rtt,
                             attempts, responder, icmp_type, icmp_code});
  }

  /// A pair that ends without a report: its host is settled.
  void drop(std::uint64_t) { loop_.pairs_done_.fetch_add(1, std::memory_order_relaxed); }

  bool host_settled(std::uint64_t pair) const { return settled_ && settled_(host_of(pair)); }

  void release(std::uint32_t index) {
    Slot& slot = slots_[index];
    table_.erase(slot.pair);
    slot.busy = false;
    ++slot.generation;
    free_slots_.push_back(index);
    --in_flight_;
  }

  // ---- receiving

  void drain(TimePoint now) {
    const auto handle = [&](std::span<const std::uint8_t> packet) { on_packet(packet, now); };
    bool dropped = false;
    if (loop_.ring_v4_) {
      loop_.ring_v4_->drain(handle);
      dropped |= loop_.ring_v4_->take_drops() > 0;
    }
    if (loop_.ring_v6_) {
      loop_.ring_v6_->drain(handle);
      dropped |= loop_.ring_v6_->take_drops() > 0;
    }
    // A full ring lost answers: the scan outran its own receiver. Slow down as for a loss.
    if (dropped) window_.on_loss(now, rtts_.global().timeout());
  }

  void on_packet(std::span<const std::uint8_t> packet, TimePoint now) {
    const auto reply = parse_reply(packet);
    if (!reply) return;
    Match match;
    if (!this->match(*reply, match)) return;
    answered(match, now);
  }

  /// The attempt whose source port is `port`, or -1.
  int attempt_of_port(std::uint16_t port) const {
    const auto& ports = loop_.source_ports_;
    for (std::size_t i = 0; i < ports.size(); ++i) {
      if (ports[i] == port) return static_cast<int>(i);
    }
    return -1;
  }

  /// The cookie of attempt `attempt` of probe `probe` from `source` to `host`.
  std::uint32_t cookie(IpAddress source, IpAddress host, std::size_t probe, int attempt) const {
    return loop_.cookies_.cookie(source, host, loop_.source_ports_[attempt],
                                 loop_.probes_[probe].port);
  }

  /// The attempt of the echo probe to `host` whose cookie is `value`, or -1.
  int echo_attempt(IpAddress source, IpAddress host, std::uint32_t value) const {
    for (int attempt = 0; attempt <= limits_.max_retries; ++attempt) {
      if (cookie(source, host, *echo_probe_, attempt) == value) return attempt;
    }
    return -1;
  }

  /// Finds the probe that `reply` answers; false for anything that is not a genuine answer.
  bool match(const Reply& reply, Match& match) const {
    // The host and our address are the reply's source and destination, or, in an ICMP error,
    // the quoted probe's destination and source.
    const bool quoted = reply.kind == ReplyKind::kUnreachable;
    const IpAddress host = quoted ? reply.quoted.destination : reply.source;
    const IpAddress local = quoted ? reply.quoted.source : reply.destination;
    const auto host_index = loop_.targets_.index_of(host);
    if (!host_index) return false;
    const auto source = sources_.known(*host_index);
    if (!source || *source != local) return false;

    std::size_t probe = 0;
    int attempt = -1;
    if (reply.kind == ReplyKind::kTcp || (quoted && reply.quoted.tcp)) {
      const std::uint16_t our_port = quoted ? reply.quoted.source_port : reply.destination_port;
      const std::uint16_t their_port = quoted ? reply.quoted.destination_port : reply.source_port;
      attempt = attempt_of_port(our_port);
      if (attempt < 0 || probe_by_port_[their_port] == kNoProbe) return false;
      probe = probe_by_port_[their_port];
      const std::uint32_t expected = cookie(*source, host, probe, attempt);
      if (quoted) {
        if (reply.quoted.cookie != expected) return false;
      } else if (loop_.probes_[probe].kind == ProbeKind::kTcpSyn) {
        // A SYN is acknowledged as one sequence number: SYN-ACK and RST both carry cookie + 1.
        if (reply.ack != expected + 1 || (reply.flags & kTcpAck) == 0) return false;
        if (reply.flags & kTcpRst) {
          match.answer = ProbeAnswer::kReset;
        } else if (reply.flags & kTcpSyn) {
          match.answer = ProbeAnswer::kSynAck;
        } else {
          return false;
        }
      } else {
        // A bare ACK is answered by a RST whose sequence number is the ACK's acknowledgment.
        if ((reply.flags & kTcpRst) == 0 || reply.seq != expected) return false;
        match.answer = ProbeAnswer::kReset;
      }
    } else {
      if (!echo_probe_) return false;
      probe = *echo_probe_;
      attempt = echo_attempt(*source, host, quoted ? reply.quoted.cookie : reply.echo_cookie);
      if (attempt < 0) return false;
      match.answer = ProbeAnswer::kEchoReply;
    }
    if (quoted) {
      match.answer = ProbeAnswer::kUnreachable;
      match.icmp_type = reply.icmp_type;
      match.icmp_code = reply.icmp_code;
    }
    match.pair = static_cast<std::uint64_t>(probe) * hosts_ + *host_index;
    match.attempt = static_cast<std::uint8_t>(attempt);
    match.responder = reply.source;
    return true;
  }

  void answered(const Match& match, TimePoint now) {
    const std::uint32_t index = table_.find(match.pair);
    if (index == ProbeTable::kAbsent) return;  // ended already: a duplicate or late answer
    Slot& slot = slots_[index];
    if (match.attempt > slot.attempt) return;  // not sent yet: cannot be genuine
    const Duration rtt = std::chrono::duration_cast<Duration>(now - slot.sent);
    const int attempts = slot.attempt + 1;
    if (match.attempt == slot.attempt) {
      // Karn: only an answer to the latest attempt times that attempt.
      rtts_.add_sample(loop_.targets_.at(host_of(match.pair)), rtt);
      // The answer to a retransmission: the first try (or its answer) was lost. A late answer to
      // an earlier try only says the timeout was short, which the RTT samples fix.
      if (slot.attempt > 0) window_.on_loss(now, rtts_.global().timeout());
    }
    window_.on_answer();
    release(index);
    report(match.pair, match.answer, rtt, attempts, match.responder, match.icmp_type,
           match.icmp_code);
  }

  // ---- timers

  void expire(TimePoint now) {
    while (!timers_.empty() && timers_.top().when <= now) {
      const Timer timer = timers_.top();
      timers_.pop();
      Slot& slot = slots_[timer.slot];
      if (!slot.busy || slot.generation != timer.generation) continue;  // answered already
      const Job job{slot.pair, slot.attempt};
      release(timer.slot);
      // The probe has left the network either way. Counting it like an answer lets the window
      // open over silent (filtered, absent) hosts, which would otherwise pin it at its initial
      // size; real loss still halves it when retransmissions get answered.
      window_.on_answer();
      if (host_settled(job.pair)) {
        drop(job.pair);
      } else if (job.attempt < limits_.max_retries) {
        pending_.push_back({job.pair, static_cast<std::uint8_t>(job.attempt + 1)});
      } else {
        report(job.pair, ProbeAnswer::kNoAnswer, Duration{0}, job.attempt + 1);
      }
    }
  }

  // ---- sending

  void launch(TimePoint now) {
    rate_blocked_ = false;
    if (buffers_short_) {
      if (now < buffers_back_) return;
      buffers_short_ = false;
    }
    const std::size_t limit = std::min(window_.limit(), slots_.size());
    int batches = 0;
    while (in_flight_ < limit) {
      Job job{};
      if (!pending_.empty()) {
        job = pending_.front();
        pending_.pop_front();
      } else if (next_position_ < total_) {
        job = {loop_.order_.at(next_position_++), 0};
      } else {
        break;
      }
      if (host_settled(job.pair)) {
        drop(job.pair);
        continue;
      }
      const std::uint64_t host_index = host_of(job.pair);
      const IpAddress host = loop_.targets_.at(host_index);
      const auto source = sources_.lookup(host_index, host);
      if (!source) {
        report(job.pair, ProbeAnswer::kNoRoute, Duration{0}, job.attempt + 1);
        continue;
      }
      if (!rate_.try_acquire(now)) {
        pending_.push_front(job);
        rate_blocked_ = true;
        break;
      }
      const std::uint32_t index = free_slots_.back();
      free_slots_.pop_back();
      Slot& slot = slots_[index];
      slot.pair = job.pair;
      slot.attempt = job.attempt;
      slot.busy = true;
      table_.insert(job.pair, index);
      ++in_flight_;

      const std::size_t probe = probe_of(job.pair);
      const ProbeSpec& spec = loop_.probes_[probe];
      const std::uint32_t value = cookie(*source, host, probe, job.attempt);
      ProbePacket packet;
      packet.source = *source;
      packet.destination = host;
      packet.kind = spec.kind;
      packet.source_port = loop_.source_ports_[job.attempt];
      packet.destination_port = spec.port;
      packet.cookie = value;
      packet.ip_id = static_cast<std::uint16_t>((value >> 16) | 1);
      loop_.sender_->add(packet, index);
      batch_slots_.push_back(index);
      if (loop_.sender_->full(host.family())) {
        flush();
        // Read the answers to each batch before sending the next: the ring hands over a
        // partly filled block every millisecond, so a long burst of sends without reading
        // would fill all its blocks and lose answers.
        now = ScanClock::now();
        drain(now);
        // On loopback every answer is back before the next batch, so the window never fills
        // and this loop could send the whole scan: hand back to run() now and then, so that
        // a cancel is seen and timers run.
        if (loop_.cancelled_.load() || ++batches >= kBatchesPerLaunch) break;
      }
    }
    flush();
  }

  /// Sends the batches and starts the timers of their probes.
  void flush() {
    if (batch_slots_.empty()) return;
    // Timers first: a packet the kernel refuses releases its slot, which voids its timer.
    const TimePoint sent = ScanClock::now();
    for (const std::uint32_t index : batch_slots_) {
      Slot& slot = slots_[index];
      slot.sent = sent;
      const IpAddress host = loop_.targets_.at(host_of(slot.pair));
      timers_.push({sent + rtts_.timeout(host), index, slot.generation});
    }
    batch_slots_.clear();
    const std::size_t count = loop_.sender_->flush(on_send_failure_);
    loop_.probes_sent_.fetch_add(count, std::memory_order_relaxed);
  }

  void send_failed(std::uint32_t index, int error) {
    const Job job{slots_[index].pair, slots_[index].attempt};
    release(index);
    if (out_of_buffers(error)) {
      // The machine is short of buffers, not the target of answers: try again shortly.
      pending_.push_front(job);
      buffers_short_ = true;
      buffers_back_ = ScanClock::now() + kBufferPause;
      return;
    }
    report(job.pair, ProbeAnswer::kNoRoute, Duration{0}, job.attempt + 1);
  }

  int wait_time(TimePoint now) const {
    TimePoint wake = now + kMaxSleep;
    if (!timers_.empty()) wake = std::min(wake, timers_.top().when);
    if (rate_blocked_) wake = std::min(wake, now + rate_.wait_time(now));
    if (buffers_short_) wake = std::min(wake, buffers_back_);
    const bool more_to_send = !pending_.empty() || next_position_ < total_;
    // Room in the window and nothing holding the next probe back: go on at once.
    if (more_to_send && !rate_blocked_ && !buffers_short_ &&
        in_flight_ < std::min(window_.limit(), slots_.size())) {
      return 0;
    }
    const auto micros = std::chrono::duration_cast<Duration>(wake - now).count();
    return static_cast<int>(std::max<Duration::rep>(0, (micros + 999) / 1000));
  }

  RawProbeLoop& loop_;
  const ProbeOutcomeHandler& on_outcome_;
  const HostSettled& settled_;
  const ScanLimits& limits_;
  const std::uint64_t hosts_;
  const std::uint64_t total_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  ProbeTable table_;
  std::size_t in_flight_ = 0;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::deque<Job> pending_;  // retransmissions, and probes held back by the rate or buffers
  std::uint64_t next_position_ = 0;
  CongestionWindow window_;
  RateLimiter rate_;
  HostRttTable rtts_;
  SourceAddresses sources_;
  std::vector<std::uint16_t> probe_by_port_;  // TCP port -> probe index
  std::optional<std::size_t> echo_probe_;
  std::vector<std::uint32_t> batch_slots_;
  RawSender::FailureHandler on_send_failure_;
  bool rate_blocked_ = false;
  bool buffers_short_ = false;
  TimePoint buffers_back_{};
};

Result<std::unique_ptr<RawProbeLoop>> RawProbeLoop::create(TargetSet targets,
                                                           std::vector<ProbeSpec> probes,
                                                           const ScanLimits& limits,
                                                           std::uint64_t seed) {
  if (targets.size() > SourceAddresses::kMaxHosts) {
    return invalid_argument(fmt::format("a raw scan takes at most {} addresses; split the "
                                        "targets into shards",
                                        SourceAddresses::kMaxHosts),
                            "targets");
  }
  // Probe indices 0..65534 leave kNoProbe free: every TCP port fits.
  if (probes.empty() || probes.size() > kNoProbe) {
    return invalid_argument("from 1 to 65535 probes per host", "ports");
  }
  std::vector<bool> seen(65536, false);
  for (const ProbeSpec& spec : probes) {
    if (spec.kind == ProbeKind::kIcmpEcho) continue;
    if (seen[spec.port]) {
      return invalid_argument(fmt::format("port {} is probed twice", spec.port), "ports");
    }
    seen[spec.port] = true;
  }
  std::unique_ptr<RawProbeLoop> loop(
      new RawProbeLoop(std::move(targets), std::move(probes), limits, seed));

  const bool v4 = has_family(loop->targets_, AddressFamily::kIpv4);
  const bool v6 = has_family(loop->targets_, AddressFamily::kIpv6);
  auto sender = RawSender::open(v4, v6);
  if (!sender) {
    if (sender.error().code != ErrorCode::kPermissionDenied) return std::move(sender).error();
    return with_reason(std::move(sender).error(), kRawSocketsUnavailable);
  }
  loop->sender_.emplace(std::move(*sender));

  for (int attempt = 0; attempt <= limits.max_retries; ++attempt) {
    SENTINEL_ASSIGN(reserved, reserve_port());
    loop->port_holders_.push_back(reserved.first);
    loop->source_ports_.push_back(reserved.second);
  }
  ReplyFilterSpec filter;
  filter.ports = loop->source_ports_;
  filter.echo = std::any_of(loop->probes_.begin(), loop->probes_.end(), [](const ProbeSpec& spec) {
    return spec.kind == ProbeKind::kIcmpEcho;
  });
  for (const AddressFamily family : {AddressFamily::kIpv4, AddressFamily::kIpv6}) {
    if (!(family == AddressFamily::kIpv4 ? v4 : v6)) continue;
    const auto program = reply_filter(family, filter);
    auto ring = PacketRing::open(family, program);
    if (!ring) {
      if (ring.error().code != ErrorCode::kPermissionDenied) return std::move(ring).error();
      return with_reason(std::move(ring).error(), kRawSocketsUnavailable);
    }
    (family == AddressFamily::kIpv4 ? loop->ring_v4_ : loop->ring_v6_).emplace(std::move(*ring));
  }

  loop->epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (loop->epoll_fd_ < 0) {
    return internal_error(fmt::format("epoll_create1: {}", std::strerror(errno)));
  }
  loop->cancel_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (loop->cancel_fd_ < 0) return internal_error(fmt::format("eventfd: {}", std::strerror(errno)));
  const auto watch = [&](int fd, std::uint64_t tag) -> Status {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = tag;
    if (epoll_ctl(loop->epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
      return internal_error(fmt::format("epoll_ctl: {}", std::strerror(errno)));
    }
    return ok();
  };
  SENTINEL_TRY(watch(loop->cancel_fd_, kCancelTag));
  if (loop->ring_v4_) SENTINEL_TRY(watch(loop->ring_v4_->fd(), kRingV4Tag));
  if (loop->ring_v6_) SENTINEL_TRY(watch(loop->ring_v6_->fd(), kRingV6Tag));
  return loop;
}

RawProbeLoop::RawProbeLoop(TargetSet targets, std::vector<ProbeSpec> probes,
                           const ScanLimits& limits, std::uint64_t seed)
    : targets_(std::move(targets)),
      probes_(std::move(probes)),
      limits_(limits),
      order_(targets_.size() * probes_.size(), seed),
      cookies_(ProbeCookies::random()) {}

RawProbeLoop::~RawProbeLoop() {
  for (const int fd : port_holders_) close(fd);
  if (cancel_fd_ >= 0) close(cancel_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

Result<ScanOutcome> RawProbeLoop::run(const ProbeOutcomeHandler& on_outcome,
                                      const HostSettled& settled) {
  if (ran_.exchange(true)) return conflict("this scan has already run");
  started_ns_.store(steady_ns(ScanClock::now()));
  auto outcome = Run(*this, on_outcome, settled).run();
  finished_ns_.store(steady_ns(ScanClock::now()));
  return outcome;
}

void RawProbeLoop::cancel() {
  cancelled_.store(true);
  const std::uint64_t one = 1;
  // The eventfd wakes the loop out of epoll; if the write fails the flag is seen on the next
  // wake-up, within kMaxSleep.
  [[maybe_unused]] const auto written = write(cancel_fd_, &one, sizeof(one));
}

double RawProbeLoop::probes_per_second() const {
  const std::int64_t started = started_ns_.load();
  if (started == 0) return 0;
  const std::int64_t finished = finished_ns_.load();
  const std::int64_t end = finished != 0 ? finished : steady_ns(ScanClock::now());
  const double seconds = static_cast<double>(end - started) / 1e9;
  return seconds > 0 ? static_cast<double>(probes_sent_.load()) / seconds : 0;
}

}  // namespace sentinel::scan
