#pragma once
// The watcher child's loop: waits on every source, drains what they saw, and writes it to the
// agent as records (watch_protocol.h), each batch followed by the checkpoint that holds once it
// is stored, and the child's log lines as `log` records.

#include <chrono>
#include <memory>
#include <vector>

#include "agent/watch/event_source.h"
#include "agent/watch/watch_log.h"

namespace sentinel::agent::watch {

/// Runs until writing to `output_fd` fails (the agent closed it or is gone); returns the exit
/// status for the child (0). Every source is polled on each wake-up: when one of their fds is
/// readable, and at least every `tick`. The lines queued in `log` (may be null) are sent on each
/// wake-up, before the events.
int run_watcher(std::vector<std::unique_ptr<EventSource>>& sources, int output_fd,
                std::chrono::milliseconds tick = std::chrono::milliseconds(250),
                WatchLog* log = nullptr);

}  // namespace sentinel::agent::watch
