#include "agent/watch/fim_source.h"

namespace sentinel::agent::watch {

Result<std::unique_ptr<FimSource>> FimSource::start(fim::MonitorOptions options) {
  std::unique_ptr<FimSource> source(new FimSource());
  SENTINEL_ASSIGN(monitor, fim::Monitor::create(std::move(options), source->clock_));
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
}

}  // namespace sentinel::agent::watch
