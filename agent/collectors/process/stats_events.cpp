#include "agent/collectors/process/stats_events.h"

#include <initializer_list>
#include <string>
#include <utility>

namespace sentinel::agent::process {
namespace {

CollectedEvent counters_event(
    std::string name, std::int64_t time_ms,
    std::initializer_list<std::pair<const char*, std::uint64_t>> counters) {
  CollectedEvent event;
  event.type = "collector.stats";
  event.time_ms = time_ms;
  event.fields.push_back({"collector.name", std::move(name)});
  for (const auto& [field, value] : counters) {
    event.fields.push_back({field, std::to_string(value)});
  }
  return event;
}

}  // namespace

CollectedEvent stats_event(const ProcessStartStats& stats, std::int64_t time_ms) {
  return counters_event("process", time_ms,
                        {{"collector.execs", stats.execs},
                         {"collector.vanished", stats.vanished},
                         {"collector.overflows", stats.overflows},
                         {"collector.lost_events", stats.lost_events},
                         {"collector.long_command_lines", stats.command_lines_truncated},
                         {"collector.malformed_messages", stats.malformed_messages},
                         {"collector.receive_buffer_bytes", stats.receive_buffer_bytes}});
}

CollectedEvent stats_event(const ConnectionTrackerStats& stats, std::int64_t time_ms) {
  return counters_event("connections", time_ms,
                        {{"collector.polls", stats.polls},
                         {"collector.connections", stats.connections},
                         {"collector.owners_unknown", stats.owners_unknown},
                         {"collector.events_dropped", stats.events_dropped},
                         {"collector.connections_over_cap", stats.connections_over_cap}});
}

}  // namespace sentinel::agent::process
