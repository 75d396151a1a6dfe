// sentinel-server: every server-side service in one binary; --target picks which run here.

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "logging.h"
#include "modules.h"
#include "sentinel/server/module_graph.h"

extern char** environ;

namespace sentinel::server {
namespace {

constexpr int kExitConfig = 2;
constexpr int kExitStart = 1;

std::map<std::string, std::string> sentinel_environment() {
  std::map<std::string, std::string> out;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::size_t equals = text.find('=');
    if (equals == std::string_view::npos || text.rfind("SENTINEL_", 0) != 0) continue;
    out.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  return out;
}

Status prepare_data_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return unavailable(fmt::format("cannot create data dir {}: {}", dir, ec.message()));
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  return ok();
}

/// Writes the URL the gateway listens on, so that scripts and tests started with port 0 find it.
void write_server_url(const std::string& data_dir, const std::string& url) {
  const auto path = std::filesystem::path(data_dir) / "server.url";
  const auto temporary = path.string() + ".tmp";
  std::ofstream(temporary) << url << "\n";
  std::filesystem::rename(temporary, path);
}

int run(ModuleContext& context) {
  auto logger = spdlog::get("server");
  auto order = resolve_targets(context.config.targets);
  if (!order) {
    logger->error("{}", order.error().message);
    return kExitConfig;
  }
  if (Status built = build_modules(context, *order); !built) {
    logger->error("start failed: {}", built.error().message);
    return kExitStart;
  }

  // Signals are taken synchronously by this thread; every other thread inherits the block.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::vector<Service*> started;
  for (Service* service : context.services) {
    if (Status status = service->start(); !status) {
      logger->error("start failed service={} error=\"{}\"", service->name(),
                    status.error().message);
      for (auto it = started.rbegin(); it != started.rend(); ++it) (*it)->stop();
      return kExitStart;
    }
    started.push_back(service);
  }

  if (context.agent_listener && context.enrollment) {
    // With agents.listen on port 0 only now is the port known that enrolment tells agents.
    const std::string address = context.agent_listener->bound_address();
    context.enrollment->set_channel_port(std::stoi(address.substr(address.rfind(':') + 1)));
  }
  if (context.gateway) {
    const std::string url = "https://" + context.gateway->bound_address();
    write_server_url(context.config.data_dir, url);
    std::printf("SentinelSecure server listening on %s (targets: %s)\n", url.c_str(),
                fmt::format("{}", fmt::join(*order, ",")).c_str());
  }
  if (context.generated_admin_password) {
    // Printed once, to the terminal only: it is never logged and never stored in clear.
    std::printf("Created user 'admin' with password: %s\n",
                context.generated_admin_password->reveal().c_str());
    context.generated_admin_password.reset();
  }
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  logger->info("signal={} draining", signal_number);
  for (auto it = started.rbegin(); it != started.rend(); ++it) (*it)->drain();
  for (auto it = started.rbegin(); it != started.rend(); ++it) (*it)->stop();
  if (context.bus) context.bus->stop();
  logger->info("stopped");
  return 0;
}

}  // namespace
}  // namespace sentinel::server

int main(int argc, char** argv) {
  using namespace sentinel::server;
  CLI::App app{"SentinelSecure server: API gateway, auth, storage and the other services"};
  ConfigSources sources;
  std::string config_file;
  std::vector<std::string> settings;
  std::map<std::string, std::string> flag_values;
  app.add_option("--config", config_file, "YAML config file")->check(CLI::ExistingFile);
  const std::vector<std::pair<std::string, std::string>> shortcuts = {
      {"--listen", "gateway.listen"},
      {"--data-dir", "data_dir"},
      {"--db", "db"},
      {"--bus", "bus"},
      {"--target", "targets"},
      {"--log-level", "log.level"},
      {"--tls-cert", "gateway.tls.cert_file"},
      {"--tls-key", "gateway.tls.key_file"},
      {"--web-root", "gateway.web_root"},
  };
  for (const auto& [flag, key] : shortcuts) {
    app.add_option(flag, flag_values[key], "sets " + key);
  }
  std::vector<std::string> scan_scopes;
  app.add_option("--scan-scope", scan_scopes,
                 "a CIDR that scans may target (repeatable); sets scanner.scopes")
      ->allow_extra_args(false);
  app.add_option("--set", settings, "KEY=VALUE for any config key (repeatable)");
  bool list_keys = false;
  app.add_flag("--list-config-keys", list_keys, "print every config key and exit");
  CLI11_PARSE(app, argc, argv);

  if (list_keys) {
    for (const std::string& key : config_keys()) {
      std::printf("%s (env %s)\n", key.c_str(), environment_name(key).c_str());
    }
    return 0;
  }
  if (!config_file.empty()) sources.file = config_file;
  sources.environment = sentinel_environment();
  for (const auto& [flag, key] : shortcuts) {
    if (!flag_values[key].empty()) sources.flags.emplace_back(key, flag_values[key]);
  }
  if (!scan_scopes.empty()) {
    sources.flags.emplace_back("scanner.scopes", fmt::format("{}", fmt::join(scan_scopes, ",")));
  }
  for (const std::string& setting : settings) {
    const std::size_t equals = setting.find('=');
    if (equals == std::string::npos) {
      std::fprintf(stderr, "sentinel-server: --set %s: expected KEY=VALUE\n", setting.c_str());
      return 2;
    }
    sources.flags.emplace_back(setting.substr(0, equals), setting.substr(equals + 1));
  }

  auto config = load_config(sources);
  if (!config) {
    std::fprintf(stderr, "sentinel-server: invalid configuration:\n%s\n",
                 config.error().message.c_str());
    return 2;
  }
  setup_logging(config->log);
  if (auto prepared = prepare_data_dir(config->data_dir); !prepared) {
    spdlog::error("{}", prepared.error().message);
    return 1;
  }
  try {
    ModuleContext context(std::move(*config));
    return run(context);
  } catch (const std::exception& e) {
    spdlog::critical("unexpected error: {}", e.what());
    return 1;
  }
}
