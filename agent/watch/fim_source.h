#pragma once
// The file-integrity monitor as a watcher source: inotify for real-time changes, the scheduled
// full checks in slices between other sources' work. Its baseline lives in the watcher's state
// directory, so it has no checkpoint of its own.

#include <memory>

#include "agent/collectors/fim/monitor.h"
#include "agent/watch/event_source.h"
#include "sentinel/common/clock.h"

namespace sentinel::agent::watch {

class FimSource final : public EventSource {
 public:
  /// Creates and starts the monitor; its errors (bad paths, unusable baseline) are the caller's
  /// to report.
  static Result<std::unique_ptr<FimSource>> start(fim::MonitorOptions options);

  std::string name() const override { return "fim"; }
  int fd() const override { return monitor_->fd(); }
  std::chrono::milliseconds due_in(std::chrono::milliseconds tick) const override;
  void poll(std::vector<CollectedEvent>& out) override;

 private:
  FimSource() = default;

  SystemClock clock_;
  std::unique_ptr<fim::Monitor> monitor_;
};

}  // namespace sentinel::agent::watch
