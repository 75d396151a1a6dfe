// scanbed: the network-scanning test bed (docs/adr/0005-scanning.md, "Test bed"). Plans hosts
// on consecutive addresses, writes the ground truth, binds every listener, writes the ready file,
// then serves until SIGINT or SIGTERM. Usage and truth format: tests/scanbed/README.md.

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstring>
#include <filesystem>

#include "tests/scanbed/bed_plan.h"
#include "tests/scanbed/bed_server.h"
#include "tests/scanbed/truth_file.h"

namespace {

using namespace sentinel;
using namespace sentinel::scanbed;

constexpr rlim_t kSpareDescriptors = 256;

struct CommandLine {
  std::string base;
  int hosts = 500;
  std::uint64_t seed = 7;
  std::string truth;
  std::string ready_file;
  bool hostile = false;
  bool dry_run = false;
  int deadline_seconds = 30;
  int hostile_deadline_seconds = 300;
  std::size_t read_cap = 64 * 1024;
  std::size_t max_connections = 8192;
};

// Thousands of listeners plus the connections being served need more descriptors than the usual
// soft limit of 1024; as root the hard limit can be raised too.
Status raise_descriptor_limit(rlim_t needed) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return internal_error(std::string("getrlimit: ") + std::strerror(errno));
  }
  if (limit.rlim_cur >= needed) return ok();
  limit.rlim_cur = needed;
  if (limit.rlim_max < needed) limit.rlim_max = needed;
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return unavailable(
        fmt::format("cannot raise RLIMIT_NOFILE to {}: {}", needed, std::strerror(errno)));
  }
  return ok();
}

std::string ready_json(std::size_t listeners, const std::string& truth) {
  boost::json::object ready;
  ready["pid"] = ::getpid();
  ready["listeners"] = listeners;
  ready["truth"] = truth;
  return boost::json::serialize(ready) + "\n";
}

Status run(const CommandLine& line) {
  SENTINEL_ASSIGN(base, parse_ipv4(line.base, "base"));
  BedOptions options;
  options.base = base;
  options.host_count = line.hosts;
  options.seed = line.seed;
  options.hostile = line.hostile;
  SENTINEL_ASSIGN(plan, plan_bed(options));
  SENTINEL_TRY(write_file_atomically(line.truth, truth_json(plan)));
  if (line.dry_run) return ok();

  BedLimits limits;
  limits.service = {std::chrono::seconds(line.deadline_seconds), line.read_cap};
  limits.hostile = {std::chrono::seconds(line.hostile_deadline_seconds), line.read_cap};
  limits.max_connections = line.max_connections;
  std::size_t ports = 0;
  for (const HostPlan& host : plan.hosts) ports += host.ports.size();
  for (const HostilePlan& hostile : plan.hostile) ports += hostile.ports.size();
  SENTINEL_TRY(raise_descriptor_limit(ports + line.max_connections + kSpareDescriptors));

  SENTINEL_ASSIGN(server, BedServer::create(plan, limits));
  spdlog::info("scanbed: {} hosts from {}, {} listeners, truth in {}", plan.hosts.size(),
               format_ipv4(base + 1), server->listener_count(), line.truth);
  if (!line.ready_file.empty()) {
    SENTINEL_TRY(
        write_file_atomically(line.ready_file, ready_json(server->listener_count(), line.truth)));
  }
  server->run();
  if (!line.ready_file.empty()) std::filesystem::remove(line.ready_file);
  return ok();
}

}  // namespace

int main(int argc, char** argv) {
  CommandLine line;
  CLI::App app{"scanbed: hosts with real-looking services on loopback addresses, and their truth"};
  app.add_option("--base", line.base, "hosts are BASE+1 .. BASE+HOSTS (IPv4)")->required();
  app.add_option("--hosts", line.hosts, "number of hosts")->capture_default_str();
  app.add_option("--seed", line.seed, "plan seed: same seed, same bed")->capture_default_str();
  app.add_option("--truth", line.truth, "where to write the ground truth (JSON)")->required();
  app.add_option("--ready-file", line.ready_file,
                 "written once every listener is bound; removed on exit");
  app.add_flag("--hostile", line.hostile,
               "also serve hostile listeners on the four addresses after the last host");
  app.add_flag("--dry-run", line.dry_run, "write the truth file and exit without serving");
  app.add_option("--deadline", line.deadline_seconds, "seconds a service connection may live")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--hostile-deadline", line.hostile_deadline_seconds,
                 "seconds a hostile connection may live")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_option("--read-cap", line.read_cap, "bytes read from one connection at most")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{64} << 20))
      ->capture_default_str();
  app.add_option("--max-connections", line.max_connections, "connections served at once")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  ::signal(SIGPIPE, SIG_IGN);
  try {
    const Status status = run(line);
    if (!status) {
      spdlog::error("scanbed: {}", status.error().message);
      return 1;
    }
  } catch (const std::exception& error) {
    spdlog::error("scanbed: {}", error.what());
    return 1;
  }
  return 0;
}
