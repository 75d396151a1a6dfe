#pragma once
// A real sentinel-server process for integration tests: temp data dir, free port, chosen backend.

#include <memory>
#include <string>
#include <vector>

#include "sentinel/common/result.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {

/// The admin password every test server starts with.
inline constexpr const char* kAdminPassword = "Test-Root-Password-4821";

struct ServerOptions {
  std::string backend =
      "sqlite";  // "sqlite" or "postgresql" (a fresh database on the shared cluster)
  std::vector<std::string> extra_args;
  std::map<std::string, std::string> environment;
};

/// Starts sentinel-server and waits until it serves; SIGKILLs it when destroyed if still running.
class ServerProcess {
 public:
  static Result<std::unique_ptr<ServerProcess>> start(ServerOptions options = {});

  /// "https://127.0.0.1:PORT".
  const std::string& url() const { return url_; }
  /// The self-signed certificate the server generated, to verify it with.
  std::string ca_file() const;
  std::string data_dir() const { return dir_.path().string() + "/data"; }
  const std::string& database_url() const { return database_url_; }
  /// Everything the server wrote to stdout and stderr so far.
  std::string log() const;
  ChildProcess& process() { return process_; }
  /// SIGTERM and wait; returns the exit code.
  Result<int> stop();
  /// SIGKILL: what a crash looks like.
  void kill();
  /// Starts the server again on the same data dir, database and agent channel port (the HTTPS
  /// port may change: url() follows it).
  Status restart();
  /// "127.0.0.1:PORT" of the agent channel; the same across restarts.
  const std::string& channel_address() const { return channel_address_; }

 private:
  ServerProcess(TempDir dir, std::vector<std::string> argv,
                std::map<std::string, std::string> environment, std::string database_url,
                std::string channel_address)
      : dir_(std::move(dir)),
        argv_(std::move(argv)),
        environment_(std::move(environment)),
        database_url_(std::move(database_url)),
        channel_address_(std::move(channel_address)) {}
  Status spawn();

  TempDir dir_;
  std::vector<std::string> argv_;
  std::map<std::string, std::string> environment_;
  ChildProcess process_;
  std::string url_;
  std::string database_url_;
  std::string channel_address_;
  int runs_ = 0;
};

/// Path of a binary built by this project ("sentinel-server", "sentinelctl").
std::string binary_path(const std::string& name);

}  // namespace sentinel::test
