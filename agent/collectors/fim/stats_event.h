#pragma once
// The file-integrity monitor's collector.stats event (ADR 0004), in the shape of the other
// collectors' (`collector.name` and decimal counters), and the log line the agent writes when
// the first full check of a run has finished: the baseline is complete.

#include <cstdint>
#include <optional>
#include <string>

#include "agent/collectors/collected_event.h"
#include "agent/collectors/fim/monitor.h"

namespace sentinel::agent::fim {

/// Why a stats event was sent, its `event.reason`.
enum class StatsReason {
  kInterval,           // "interval": the periodic report while counters move
  kFullCheckFinished,  // "full_check_finished": a full check has just finished
};

/// `collector.name: fim`, `event.reason`, and the counters since the monitor started:
/// `fim.baseline_paths` (when known, i.e. >= 0), `fim.full_checks`, `fim.realtime_windows`,
/// `fim.changes`, `fim.batches`, `fim.batched_changes`, `fim.files_hashed`, `fim.watches`,
/// `fim.unwatched_directories`, `fim.unreadable`, `fim.queue_overflows`, `fim.baseline_errors`,
/// and `fim.last_full_check_ms` once a full check has finished.
CollectedEvent stats_event(const MonitorStats& stats, std::int64_t baseline_paths,
                           StatsReason reason, std::int64_t time_ms);

/// For the stats event sent when the first full check of a monitor's run finished, the info
/// line "fim: baseline complete paths=N duration_ms=M full_checks=1 unreadable=U"; nullopt for
/// every other event. The agent logs it: its watcher child cannot.
std::optional<std::string> baseline_complete_message(const CollectedEvent& event);

}  // namespace sentinel::agent::fim
