#pragma once
// One collector as the watcher child drives it: something to poll, events to drain, and the
// position to resume from after a restart.

#include <boost/json/value.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "agent/collectors/collected_event.h"

namespace sentinel::agent::watch {

/// Driven from the watcher's one thread.
class EventSource {
 public:
  virtual ~EventSource() = default;
  /// The checkpoint key ("logs:/var/log/auth.log", "journal", "fim", "process").
  virtual std::string name() const = 0;
  /// A file descriptor that becomes readable when there is work, or -1: then poll() runs on
  /// every tick of the watcher (a few times a second).
  virtual int fd() const { return -1; }
  /// How soon poll() must run again even when fd() stays quiet; the tick when it does not
  /// matter. Zero while the source is in the middle of long work it does in slices.
  virtual std::chrono::milliseconds due_in(std::chrono::milliseconds tick) const { return tick; }
  /// Does the pending work and appends what it saw; called when fd() is readable or on a tick.
  virtual void poll(std::vector<CollectedEvent>& out) = 0;
  /// Where to resume after a restart; null when there is nothing to remember. The agent saves
  /// it only after the events drained before it are in the spool.
  virtual boost::json::value checkpoint() const { return nullptr; }
};

}  // namespace sentinel::agent::watch
