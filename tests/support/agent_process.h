#pragma once
// A real sentinel-agent process for integration tests: its own data dir, enrolled with a token.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "sentinel/common/result.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {

struct AgentOptions {
  std::string server_url;  // https://127.0.0.1:PORT
  std::string token;       // enrolment token; empty: start from an enrolled data dir
  std::string ca_file;     // optional: instead of the token's pin
  /// Written to DATA_DIR/agent.yaml before the first start (enrolment keeps these settings).
  /// Process events are off unless a test turns them on: every exec on a busy CI machine would
  /// otherwise become an event in every test.
  std::string config_yaml = "inventory:\n  interval_s: 5\nprocess:\n  enabled: false\n";
  std::vector<std::string> extra_args;
};

/// Starts sentinel-agent and returns at once; SIGKILLs it when destroyed if still running.
class AgentProcess {
 public:
  static Result<std::unique_ptr<AgentProcess>> start(AgentOptions options);

  const std::string& data_dir() const { return data_dir_; }
  /// Everything the agent wrote to stdout and stderr, over all its runs.
  std::string log() const;
  ChildProcess& process() { return process_; }
  /// Waits until the agent's log contains `text`.
  Status wait_for_log(const std::string& text, std::chrono::milliseconds timeout);
  /// The agent id from its saved certificate (after enrolment).
  Result<std::string> agent_id() const;
  /// Starts the agent again from its data dir (after stop or kill).
  Status restart();
  /// SIGKILL, no clean-up: what a crash looks like.
  void kill();
  /// SIGTERM and wait; the exit code.
  Result<int> stop();

 private:
  AgentProcess(TempDir dir, std::string data_dir, ChildProcess process)
      : dir_(std::move(dir)), data_dir_(std::move(data_dir)), process_(std::move(process)) {}

  TempDir dir_;
  std::string data_dir_;
  ChildProcess process_;
  int runs_ = 1;
};

}  // namespace sentinel::test
