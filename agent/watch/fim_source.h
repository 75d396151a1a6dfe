#pragma once
// The file-integrity monitor as a watcher source: inotify for real-time changes, the scheduled
// full checks in slices between other sources' work. Its baseline lives in the watcher's state
// directory; its checkpoint ({"baseline": ID, "change": N}) says up to which journalled change
// the agent has stored the events, so that a restart reports again the ones after it. Like the log
// sources it reports its counters as a `collector.stats` event every minute while they move, and at
// once when a full check finishes (the first one: the baseline is complete).

#include <memory>

#include "agent/collectors/fim/monitor.h"
#include "agent/watch/event_source.h"
#include "sentinel/common/clock.h"

namespace sentinel::agent::watch {

/// Driven from the watcher's one thread, like every source.
class FimSource final : public EventSource {
 public:
  /// Creates and starts the monitor on the real clock; its errors (bad paths, unusable
  /// baseline) are the caller's to report.
  static Result<std::unique_ptr<FimSource>> start(fim::MonitorOptions options);
  /// The same on `clock`, which must outlive the source (tests move it).
  static Result<std::unique_ptr<FimSource>> start(fim::MonitorOptions options, const Clock& clock);

  /// How often counters that moved are reported.
  static constexpr std::int64_t kStatsIntervalMs = 60'000;

  /// The resume point in the agent's checkpoint entry `checkpoint` ("fim"); empty (report
  /// every journalled change again) when it is null or malformed.
  static fim::FimCheckpoint resume_from(const boost::json::value& checkpoint);

  std::string name() const override { return "fim"; }
  int fd() const override { return monitor_->fd(); }
  std::chrono::milliseconds due_in(std::chrono::milliseconds tick) const override;
  void poll(std::vector<CollectedEvent>& out) override;
  boost::json::value checkpoint() const override;

 private:
  // `clock` null: the source's own SystemClock.
  static Result<std::unique_ptr<FimSource>> start_on(fim::MonitorOptions options,
                                                     const Clock* clock);
  explicit FimSource(const Clock* clock) : clock_(clock != nullptr ? clock : &system_clock_) {}

  SystemClock system_clock_;
  const Clock* clock_;
  std::unique_ptr<fim::Monitor> monitor_;
  fim::MonitorStats reported_;  // the counters of the last stats event
  std::int64_t next_stats_ms_ = 0;
};

}  // namespace sentinel::agent::watch
