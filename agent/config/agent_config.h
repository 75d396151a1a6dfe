#pragma once
// The agent's typed configuration: defaults, then DATA_DIR/agent.yaml (or --config), then the
// server's central overrides ("set_config"). Unknown keys are errors with their path.

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::agent {

struct AgentConfig {
  std::string server;   // https://HOST:PORT of the API (enrolment); written at enrolment
  std::string channel;  // HOST:PORT of the agent channel; written at enrolment
  std::string log_level = "info";
  std::int64_t heartbeat_s = 15;            // until the server's welcome says otherwise
  std::int64_t inventory_interval_s = 300;  // deltas after the full inventory
  std::int64_t spool_max_mb = 256;
  std::string spool_sync = "process";  // "process": survives kill -9; "power": fsync
  std::int64_t memory_max_mb = 64;     // the agent's own caps
  std::int64_t cpu_max_percent = 5;
  bool sandbox = true;  // collectors in a confined child process
  std::string sandbox_user = "nobody";
  std::vector<std::string> log_files;    // logs.files: followed from their end, rotation included
  bool log_journal = false;              // logs.journal: the systemd journal, from its tail
  std::vector<std::string> fim_paths;    // fim.paths: watched in real time, checked on a schedule
  std::vector<std::string> fim_exclude;  // fim.exclude: globs on the full path
  std::int64_t fim_interval_s = 12 * 3600;  // fim.interval_s: the scheduled full check
  bool process_events = true;               // process.enabled: execs and new connections
  bool firewall = true;  // firewall.enabled: enforce the server's firewall policy (ADR 0006)
};

/// Reads a YAML file over `base`. Reports every problem at once, one per line, each with
/// file:line and the key ("agent.yaml:4: inventory.interval: unknown key").
Result<AgentConfig> load_agent_config(const std::string& file, AgentConfig base = {});

/// Applies central overrides (same keys as the file, as a JSON object) over `base`; only keys
/// that may change at run time are accepted (inventory, limits, log_level, heartbeat_s).
Result<AgentConfig> apply_central_config(const boost::json::object& overrides, AgentConfig base);

/// The file form of `config` (what enrolment writes), YAML text.
std::string to_yaml(const AgentConfig& config);

/// The JSON form of the settings that may change at run time.
boost::json::object runtime_settings(const AgentConfig& config);

}  // namespace sentinel::agent
