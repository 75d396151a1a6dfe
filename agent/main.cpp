// sentinel-agent: the endpoint daemon. Enrols once with a token, then runs from its data dir.

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <string_view>
#include <vector>

#include "agent/config/agent_config.h"
#include "agent/daemon/agent_runtime.h"
#include "agent/daemon/enrolment.h"
#include "agent/sandbox/private_path.h"
#include "agent/scan/scan_worker.h"

#ifndef SENTINEL_VERSION
#define SENTINEL_VERSION "0.0.0"
#endif

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

sentinel::Status prepare_data_dir(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return sentinel::unavailable("cannot create " + dir + ": " + ec.message());
    ::chmod(dir.c_str(), 0700);
  }
  return sentinel::agent::check_private_path(dir);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sentinel::agent;
  // The scan worker (ADR 0005), started by the agent itself from this binary: not a command for
  // people, so not in --help. It confines itself before anything else happens.
  if (argc >= 2 && std::string_view(argv[1]) == "scan-worker") {
    scan_worker_main(std::vector<std::string_view>(argv + 2, argv + argc), run_scan_worker);
  }
  CLI::App app("sentinel-agent: the SentinelSecure endpoint agent", "sentinel-agent");
  std::string server;
  std::string token;
  std::string data_dir = "/var/lib/sentinel-agent";
  std::string ca_file;
  std::string config_file;
  std::string log_level;
  bool status = false;
  std::int64_t selftest_events = 0;
  double selftest_rate = 1000;
  app.add_option("--server", server, "https://HOST:PORT of the server (enrolment)");
  app.add_option("--enroll-token", token,
                 "one-time enrolment token (sentinelctl agents "
                 "enroll-token); enrols, then runs");
  app.add_option("--data-dir", data_dir, "where the agent keeps its identity, spool and state")
      ->capture_default_str();
  app.add_option("--ca-file", ca_file,
                 "trust the server's HTTPS certificate through this CA instead of the pin in the "
                 "token");
  app.add_option("--config", config_file, "config file (default DATA_DIR/agent.yaml)");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error");
  app.add_flag("--status", status, "print the agent's identity and spool state as JSON and exit");
  app.add_option("--selftest-events", selftest_events,
                 "pipeline self-test: also record this many agent.selftest events")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{100'000'000}));
  app.add_option("--selftest-rate", selftest_rate, "self-test events per second")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  app.set_version_flag("--version", SENTINEL_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  spdlog::set_default_logger(spdlog::stderr_color_mt("agent"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ [agent] %v", spdlog::pattern_time_type::utc);
  if (!log_level.empty()) spdlog::set_level(spdlog::level::from_str(log_level));

  if (status) return print_status(data_dir);
  if (!token.empty() && server.empty()) {
    std::cerr << "sentinel-agent: --enroll-token needs --server\n";
    return kExitUsage;
  }
  if (auto prepared = prepare_data_dir(data_dir); !prepared) {
    std::cerr << "sentinel-agent: " << prepared.error().message << "\n";
    return kExitFailure;
  }
  if (config_file.empty()) config_file = data_dir + "/agent.yaml";

  AgentConfig config;
  if (std::filesystem::exists(config_file)) {
    if (auto safe = check_private_path(config_file); !safe) {
      std::cerr << "sentinel-agent: " << safe.error().message << "\n";
      return kExitFailure;
    }
    auto loaded = load_agent_config(config_file);
    if (!loaded) {
      std::cerr << "sentinel-agent: " << loaded.error().message << "\n";
      return kExitUsage;
    }
    config = std::move(*loaded);
  }
  if (!log_level.empty()) config.log_level = log_level;

  if (!token.empty()) {
    auto enrolled = enrol(EnrolmentRequest{.server_url = server,
                                           .token = token,
                                           .data_dir = data_dir,
                                           .ca_file = ca_file,
                                           .agent_version = SENTINEL_VERSION},
                          config);
    if (!enrolled) {
      std::cerr << "sentinel-agent: " << enrolled.error().message << "\n";
      return kExitFailure;
    }
    config = std::move(*enrolled);
    spdlog::info("enrolled with {}; channel {}", server, config.channel);
  } else if (config.channel.empty()) {
    std::cerr << "sentinel-agent: not enrolled yet: run with --server URL --enroll-token TOKEN\n";
    return kExitUsage;
  }
  return run_agent(RuntimeOptions{.data_dir = data_dir,
                                  .config_file = config_file,
                                  .config = std::move(config),
                                  .version = SENTINEL_VERSION,
                                  .selftest_events = selftest_events,
                                  .selftest_rate = selftest_rate});
}
