#include "tests/support/server_process.h"

#include <fmt/format.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "tests/support/free_port.h"
#include "tests/support/postgres_cluster.h"

#ifndef SENTINEL_BIN_DIR
#error "SENTINEL_BIN_DIR must name the build's bin directory"
#endif

namespace sentinel::test {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

std::string binary_path(const std::string& name) {
  return std::string(SENTINEL_BIN_DIR) + "/" + name;
}

Result<std::unique_ptr<ServerProcess>> ServerProcess::start(ServerOptions options) {
  TempDir dir;
  const std::string data_dir = dir.path().string() + "/data";
  std::string database_url = "sqlite:" + data_dir + "/sentinel.db";
  if (options.backend == "postgresql") {
    SENTINEL_ASSIGN(url, PostgresCluster::shared().create_database());
    database_url = url;
  } else if (options.backend != "sqlite") {
    return invalid_argument("unknown backend " + options.backend);
  }
  SENTINEL_ASSIGN(channel_port, free_port());
  const std::string channel_address = fmt::format("127.0.0.1:{}", channel_port);

  std::vector<std::string> argv = {binary_path("sentinel-server"),
                                   "--data-dir",
                                   data_dir,
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--db",
                                   database_url,
                                   "--set",
                                   "agents.listen=" + channel_address};
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  std::map<std::string, std::string> environment = {{"SENTINEL_ADMIN_PASSWORD", kAdminPassword}};
  for (const auto& [key, value] : options.environment) environment[key] = value;

  std::unique_ptr<ServerProcess> server(new ServerProcess(
      std::move(dir), std::move(argv), std::move(environment), database_url, channel_address));
  SENTINEL_TRY(server->spawn());
  return server;
}

Status ServerProcess::spawn() {
  const std::string data_dir = this->data_dir();
  const auto url_file = std::filesystem::path(data_dir) / "server.url";
  std::filesystem::remove(url_file);
  ++runs_;
  const std::string log_file = dir_.path().string() + "/server.log";
  // Every run appends to the one log: the test sees the whole story.
  SENTINEL_ASSIGN(process, ChildProcess::spawn(argv_, environment_, log_file));
  process_ = std::move(process);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!std::filesystem::exists(url_file)) {
    if (!process_.running() || std::chrono::steady_clock::now() > deadline) {
      return unavailable(
          fmt::format("sentinel-server did not start; its log:\n{}", read_file(log_file)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  url_ = read_file(url_file);
  while (!url_.empty() && (url_.back() == '\n' || url_.back() == '\r')) url_.pop_back();
  return ok();
}

Status ServerProcess::restart() {
  if (process_.running()) return invalid_argument("the server is still running");
  return spawn();
}

void ServerProcess::kill() { (void)process_.stop(SIGKILL, std::chrono::seconds(10)); }

std::string ServerProcess::ca_file() const { return data_dir() + "/tls/server.crt"; }

std::string ServerProcess::log() const { return read_file(dir_.path() / "server.log"); }

Result<int> ServerProcess::stop() { return process_.stop(SIGTERM, std::chrono::seconds(20)); }

}  // namespace sentinel::test
