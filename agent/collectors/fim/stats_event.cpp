#include "agent/collectors/fim/stats_event.h"

#include <string_view>

namespace sentinel::agent::fim {
namespace {

constexpr std::string_view kFullCheckFinished = "full_check_finished";

const std::string* field(const CollectedEvent& event, std::string_view name) {
  for (const detection::Field& field : event.fields) {
    if (field.name == name) return &field.value;
  }
  return nullptr;
}

}  // namespace

CollectedEvent stats_event(const MonitorStats& stats, std::int64_t baseline_paths,
                           StatsReason reason, std::int64_t time_ms) {
  CollectedEvent event;
  event.type = "collector.stats";
  event.time_ms = time_ms;
  event.fields.push_back({"collector.name", "fim"});
  event.fields.push_back({"event.reason", reason == StatsReason::kFullCheckFinished
                                              ? std::string(kFullCheckFinished)
                                              : std::string("interval")});
  const auto add = [&](const char* name, std::int64_t value) {
    event.fields.push_back({name, std::to_string(value)});
  };
  if (baseline_paths >= 0) add("fim.baseline_paths", baseline_paths);
  add("fim.full_checks", stats.full_checks);
  add("fim.realtime_windows", stats.realtime_windows);
  add("fim.changes", stats.changes);
  add("fim.batches", stats.batches);
  add("fim.batched_changes", stats.batched_changes);
  add("fim.files_hashed", stats.files_hashed);
  add("fim.watches", stats.watches);
  add("fim.unwatched_directories", stats.unwatched_directories);
  add("fim.unreadable", stats.unreadable);
  add("fim.queue_overflows", stats.queue_overflows);
  add("fim.baseline_errors", stats.baseline_errors);
  if (stats.last_full_check_ms >= 0) add("fim.last_full_check_ms", stats.last_full_check_ms);
  return event;
}

std::optional<std::string> baseline_complete_message(const CollectedEvent& event) {
  if (event.type != "collector.stats") return std::nullopt;
  const std::string* name = field(event, "collector.name");
  const std::string* reason = field(event, "event.reason");
  const std::string* checks = field(event, "fim.full_checks");
  if (name == nullptr || *name != "fim" || reason == nullptr || *reason != kFullCheckFinished ||
      checks == nullptr || *checks != "1") {
    return std::nullopt;
  }
  const auto value = [&](std::string_view key) {
    const std::string* found = field(event, key);
    return found != nullptr ? *found : std::string("unknown");
  };
  return "fim: baseline complete paths=" + value("fim.baseline_paths") +
         " duration_ms=" + value("fim.last_full_check_ms") +
         " full_checks=1 unreadable=" + value("fim.unreadable");
}

}  // namespace sentinel::agent::fim
