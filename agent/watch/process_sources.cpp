#include "agent/watch/process_sources.h"

#include <chrono>

#include "agent/collectors/process/stats_events.h"

namespace sentinel::agent::watch {
namespace {

constexpr std::int64_t kStatsIntervalMs = 60'000;
constexpr std::int64_t kConnectionPollMs = 1000;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void ProcessStartSource::poll(std::vector<CollectedEvent>& out) {
  // A failed read leaves the socket readable; the next wake-up tries again and the loss is
  // counted by the collector.
  (void)collector_.drain(out);
  const std::int64_t now = now_ms();
  const process::ProcessStartStats& stats = collector_.stats();
  const std::uint64_t moved = stats.execs + stats.lost_events + stats.overflows;
  if (now >= next_stats_ms_ && moved != reported_) {
    next_stats_ms_ = now + kStatsIntervalMs;
    reported_ = moved;
    out.push_back(process::stats_event(stats, now));
  }
}

void ConnectionSource::poll(std::vector<CollectedEvent>& out) {
  const std::int64_t now = now_ms();
  if (now < next_poll_ms_) return;
  next_poll_ms_ = now + kConnectionPollMs;
  (void)tracker_.poll(out);
  const process::ConnectionTrackerStats& stats = tracker_.stats();
  const std::uint64_t moved = stats.connections + stats.events_dropped + stats.owners_unknown;
  if (now >= next_stats_ms_ && moved != reported_) {
    next_stats_ms_ = now + kStatsIntervalMs;
    reported_ = moved;
    out.push_back(process::stats_event(stats, now));
  }
}

}  // namespace sentinel::agent::watch
