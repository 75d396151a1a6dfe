#pragma once
// Child processes for tests: run a command to completion, or keep a daemon running.

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::test {

/// What a finished command left behind.
struct CommandOutput {
  int exit_code = -1;  // exit status, or 128 + signal
  std::string out;
  std::string err;
};

/// Runs `argv` with `input` on stdin and extra environment variables; waits up to `timeout`
/// (then kills it and reports an error).
Result<CommandOutput> run_command(const std::vector<std::string>& argv,
                                  const std::string& input = {},
                                  const std::map<std::string, std::string>& environment = {},
                                  std::chrono::seconds timeout = std::chrono::seconds(60));

/// A background process whose stdout and stderr go to `log_file`. Killed (SIGKILL) when
/// destroyed if still running.
class ChildProcess {
 public:
  static Result<ChildProcess> spawn(const std::vector<std::string>& argv,
                                    const std::map<std::string, std::string>& environment,
                                    const std::string& log_file);
  /// No process (yet): running() is false.
  ChildProcess() = default;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  int pid() const { return pid_; }
  bool running();
  /// Sends `signal` and waits up to `timeout` for the exit; returns the exit code.
  Result<int> stop(int signal, std::chrono::milliseconds timeout);

 private:
  explicit ChildProcess(int pid) : pid_(pid) {}
  int pid_ = -1;
  int exit_code_ = -1;
};

}  // namespace sentinel::test
