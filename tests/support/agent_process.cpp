#include "tests/support/agent_process.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <thread>

#include "tests/support/server_process.h"

namespace sentinel::test {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string log_path(const TempDir& dir) { return dir.path().string() + "/agent.log"; }

}  // namespace

Result<std::unique_ptr<AgentProcess>> AgentProcess::start(AgentOptions options) {
  TempDir dir("sentinel-agent");
  const std::string data_dir = dir.path().string() + "/data";
  std::filesystem::create_directories(data_dir);
  ::chmod(data_dir.c_str(), 0700);
  if (!options.config_yaml.empty()) {
    const std::string config = data_dir + "/agent.yaml";
    std::ofstream(config) << options.config_yaml;
    ::chmod(config.c_str(), 0600);
  }
  std::vector<std::string> argv = {binary_path("sentinel-agent"), "--data-dir", data_dir,
                                   "--log-level", "debug"};
  if (!options.token.empty()) {
    argv.insert(argv.end(), {"--server", options.server_url, "--enroll-token", options.token});
  }
  if (!options.ca_file.empty()) argv.insert(argv.end(), {"--ca-file", options.ca_file});
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  SENTINEL_ASSIGN(process, ChildProcess::spawn(argv, {}, log_path(dir)));
  return std::unique_ptr<AgentProcess>(
      new AgentProcess(std::move(dir), data_dir, std::move(process)));
}

std::string AgentProcess::log() const {
  std::string out;
  for (int run = 1; run <= runs_; ++run) {
    out += read_file(run == 1 ? log_path(dir_) : fmt::format("{}.{}", log_path(dir_), run));
  }
  return out;
}

Status AgentProcess::wait_for_log(const std::string& text, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (log().find(text) != std::string::npos) return ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return unavailable(
      fmt::format("agent log lacks '{}' after {} ms; log:\n{}", text, timeout.count(), log()));
}

Result<std::string> AgentProcess::agent_id() const {
  const std::string pem = read_file(data_dir_ + "/identity/agent.pem");
  SENTINEL_ASSIGN(
      out, run_command({"openssl", "x509", "-noout", "-subject", "-nameopt", "RFC2253"}, pem));
  static const std::regex kCommonName("CN=([a-z0-9_]+)");
  std::smatch match;
  if (out.exit_code != 0 || !std::regex_search(out.out, match, kCommonName)) {
    return not_found("the agent has no certificate yet");
  }
  return match[1].str();
}

Status AgentProcess::restart() {
  if (process_.running()) return invalid_argument("the agent is still running");
  ++runs_;
  SENTINEL_ASSIGN(process, ChildProcess::spawn({binary_path("sentinel-agent"), "--data-dir",
                                                data_dir_, "--log-level", "debug"},
                                               {}, fmt::format("{}.{}", log_path(dir_), runs_)));
  process_ = std::move(process);
  return ok();
}

void AgentProcess::kill() { (void)process_.stop(SIGKILL, std::chrono::seconds(10)); }

Result<int> AgentProcess::stop() { return process_.stop(SIGTERM, std::chrono::seconds(20)); }

}  // namespace sentinel::test
