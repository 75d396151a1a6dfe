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

 private:
  ServerProcess(TempDir dir, ChildProcess process, std::string url, std::string database_url)
      : dir_(std::move(dir)),
        process_(std::move(process)),
        url_(std::move(url)),
        database_url_(std::move(database_url)) {}

  TempDir dir_;
  ChildProcess process_;
  std::string url_;
  std::string database_url_;
};

/// Path of a binary built by this project ("sentinel-server", "sentinelctl").
std::string binary_path(const std::string& name);

}  // namespace sentinel::test
