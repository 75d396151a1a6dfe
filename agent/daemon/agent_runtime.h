#pragma once
// The running agent: spool, channel, inventory, self-limits, signals.

#include <string>

#include "agent/config/agent_config.h"

namespace sentinel::agent {

struct RuntimeOptions {
  std::string data_dir;
  std::string config_file;  // where central overrides are not written; for messages
  AgentConfig config;
  std::string version;
  /// Pipeline self-test: spool this many "agent.selftest" events at `selftest_rate` per second,
  /// so that an admin (or a test) can watch them arrive on the server exactly once.
  std::int64_t selftest_events = 0;
  double selftest_rate = 1000;
};

/// Prints the spool's state as JSON on stdout (sentinel-agent --status); exit code.
int print_status(const std::string& data_dir);

/// Runs until SIGTERM or SIGINT; returns the process exit code.
int run_agent(const RuntimeOptions& options);

}  // namespace sentinel::agent
