#pragma once
// collector.stats events (ADR 0004) for the process and connection collectors, so that what they
// could not take whole reaches the server like the log collectors' counters do.

#include <cstdint>

#include "agent/collectors/collected_event.h"
#include "agent/collectors/process/connection_tracker.h"
#include "agent/collectors/process/process_start_collector.h"

namespace sentinel::agent::process {

/// `collector.name: process` and the counters since the collector started: `collector.execs`,
/// `collector.vanished`, `collector.overflows`, `collector.lost_events`,
/// `collector.long_command_lines`, `collector.malformed_messages`, and the receive queue granted,
/// `collector.receive_buffer_bytes`.
CollectedEvent stats_event(const ProcessStartStats& stats, std::int64_t time_ms);

/// `collector.name: connections` and `collector.polls`, `collector.connections`,
/// `collector.owners_unknown`, `collector.events_dropped`, `collector.connections_over_cap`.
CollectedEvent stats_event(const ConnectionTrackerStats& stats, std::int64_t time_ms);

}  // namespace sentinel::agent::process
