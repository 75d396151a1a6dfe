#pragma once
// Which collectors the watcher child runs, from the agent's config: one source per log file,
// the journal, file integrity and the process collectors. A collector that cannot start becomes
// a source that reports why once (`collector.error`), so the server hears of it.

#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <vector>

#include "agent/watch/event_source.h"

namespace spdlog {
class logger;
}

namespace sentinel::agent::watch {

/// The collector settings of agent.yaml (logs.*, fim.*, process.*).
struct WatchSettings {
  std::vector<std::string> log_files;
  bool journal = false;
  std::vector<std::string> fim_paths;
  std::vector<std::string> fim_exclude;
  std::int64_t fim_interval_s = 12 * 3600;
  bool process_events = true;
  std::string state_dir;  // the FIM baseline; writable by the child

  /// True when there is anything to run.
  bool any() const { return !log_files.empty() || journal || !fim_paths.empty() || process_events; }
};

/// Builds the sources, resuming each from its entry in `checkpoint`. Runs in the child; the
/// collectors' warnings go to `logger` (null: nowhere), which must be one made in the child.
/// `connector_socket`: the process connector's socket the agent opened for the child
/// (process::ProcessStartCollector::open_socket), taken over; -1: the collector opens its own.
std::vector<std::unique_ptr<EventSource>> make_sources(
    const WatchSettings& settings, const boost::json::object& checkpoint,
    std::shared_ptr<spdlog::logger> logger = nullptr, int connector_socket = -1);

}  // namespace sentinel::agent::watch
