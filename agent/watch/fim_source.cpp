#include "agent/watch/fim_source.h"

#include <boost/json/object.hpp>

#include "agent/collectors/fim/stats_event.h"

namespace sentinel::agent::watch {
namespace {

// Whether anything a reader of the stats would notice moved since `before`.
bool counters_moved(const fim::MonitorStats& now, const fim::MonitorStats& before) {
  return now.full_checks != before.full_checks || now.files_hashed != before.files_hashed ||
         now.realtime_windows != before.realtime_windows || now.changes != before.changes ||
         now.batches != before.batches || now.unreadable != before.unreadable ||
         now.queue_overflows != before.queue_overflows ||
         now.unwatched_directories != before.unwatched_directories ||
         now.baseline_errors != before.baseline_errors || now.watches != before.watches;
}

}  // namespace

fim::FimCheckpoint FimSource::resume_from(const boost::json::value& checkpoint) {
  const boost::json::object* object = checkpoint.if_object();
  if (object == nullptr) return {};
  const boost::json::value* baseline = object->if_contains("baseline");
  const boost::json::value* change = object->if_contains("change");
  if (baseline == nullptr || !baseline->is_string() || change == nullptr || !change->is_int64() ||
      change->get_int64() < 0) {
    return {};
  }
  return fim::FimCheckpoint{std::string(baseline->get_string()), change->get_int64()};
}

boost::json::value FimSource::checkpoint() const {
  const fim::FimCheckpoint position = monitor_->checkpoint();
  return boost::json::object{{"baseline", position.baseline}, {"change", position.change}};
}

Result<std::unique_ptr<FimSource>> FimSource::start(fim::MonitorOptions options) {
  return start_on(std::move(options), nullptr);
}

Result<std::unique_ptr<FimSource>> FimSource::start(fim::MonitorOptions options,
                                                    const Clock& clock) {
  return start_on(std::move(options), &clock);
}

Result<std::unique_ptr<FimSource>> FimSource::start_on(fim::MonitorOptions options,
                                                       const Clock* clock) {
  std::unique_ptr<FimSource> source(new FimSource(clock));
  SENTINEL_ASSIGN(monitor, fim::Monitor::create(std::move(options), *source->clock_));
  SENTINEL_TRY(monitor->start());
  source->monitor_ = std::move(monitor);
  return source;
}

std::chrono::milliseconds FimSource::due_in(std::chrono::milliseconds tick) const {
  return std::min(tick, monitor_->due_in());
}

void FimSource::poll(std::vector<CollectedEvent>& out) {
  // A baseline error stops nothing else: the next poll tries again; the monitor counts it.
  (void)monitor_->process();
  monitor_->drain(out);
  const fim::MonitorStats stats = monitor_->stats();
  const std::int64_t now = clock_->now_ms();
  const bool finished = stats.full_checks != reported_.full_checks;
  if (!finished && (now < next_stats_ms_ || !counters_moved(stats, reported_))) return;
  // The count is a query: made only for the event, which is at most once a minute or per check.
  const Result<std::int64_t> paths = monitor_->baseline_paths();
  out.push_back(fim::stats_event(
      stats, paths ? *paths : -1,
      finished ? fim::StatsReason::kFullCheckFinished : fim::StatsReason::kInterval, now));
  reported_ = stats;
  next_stats_ms_ = now + kStatsIntervalMs;
}

}  // namespace sentinel::agent::watch
