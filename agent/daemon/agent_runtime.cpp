#include "agent/daemon/agent_runtime.h"

#include <fmt/format.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <iostream>
#include <thread>

#include "agent/collectors/logs/journal_api.h"
#include "agent/collectors/process/process_start_collector.h"
#include "agent/daemon/channel_loop.h"
#include "agent/daemon/firewall_job.h"
#include "agent/daemon/identity.h"
#include "agent/daemon/inventory_job.h"
#include "agent/daemon/state_file.h"
#include "agent/daemon/watch_job.h"
#include "agent/sandbox/resource_governor.h"
#include "agent/sandbox/sandbox.h"
#include "agent/scan/scan_worker.h"
#include "agent/scan/shard_runner.h"
#include "agent/spool/spool.h"
#include "agent/watch/sources.h"

namespace sentinel::agent {
namespace {

constexpr int kExitFailure = 1;

std::string central_config_path(const std::string& data_dir) { return data_dir + "/central.json"; }

// Merges `overrides` into `into` key by key (objects recursively).
void merge(boost::json::object& into, const boost::json::object& overrides) {
  for (const auto& [key, value] : overrides) {
    if (value.is_object() && into.contains(key) && into[key].is_object()) {
      merge(into[key].as_object(), value.as_object());
    } else {
      into[key] = value;
    }
  }
}

std::string status_path(const std::string& data_dir) { return data_dir + "/status.json"; }

// What `sentinel-agent --status` prints: identity and spool state, rewritten by the running
// agent (the spool itself is locked by it).
void write_status(const std::string& data_dir, const AgentIdentity& identity, const Spool& spool) {
  const SpoolStats stats = spool.stats();
  const boost::json::object status{
      {"agent_id", identity.agent_id},
      {"certificate_not_after_ms", identity.not_after_ms},
      {"updated_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count()},
      {"spool", boost::json::object{{"pending_events", stats.pending_events},
                                    {"pending_bytes", stats.pending_bytes},
                                    {"next_seq", stats.next_seq},
                                    {"acked_seq", stats.acked_seq},
                                    {"dropped_events_total", stats.dropped_events_total},
                                    {"dropped_bytes_total", stats.dropped_bytes_total}}}};
  if (Status written =
          write_file_atomically(status_path(data_dir), boost::json::serialize(status) + "\n", 0600);
      !written) {
    spdlog::warn("status: {}", written.error().message);
  }
}

// Appends the self-test events at a steady rate; stops early when `stop` is set.
void run_selftest(Spool& spool, std::int64_t count, double rate, const std::atomic<bool>& stop,
                  const std::function<void()>& spooled) {
  const auto started = std::chrono::steady_clock::now();
  std::int64_t last_seq = 0;
  for (std::int64_t n = 1; n <= count && !stop; ++n) {
    const auto due =
        started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      std::chrono::duration<double>(static_cast<double>(n - 1) / rate));
    std::this_thread::sleep_until(due);
    const std::string data = fmt::format(R"({{"n":{},"of":{}}})", n, count);
    auto seq = spool.append("agent.selftest", data,
                            std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
    if (!seq) {
      spdlog::error("selftest: {}", seq.error().message);
      return;
    }
    last_seq = *seq;
    spooled();
  }
  spdlog::info("selftest: {} events spooled, last seq {}", count, last_seq);
}

}  // namespace

int print_status(const std::string& data_dir) {
  std::ifstream in(status_path(data_dir));
  if (!in) {
    std::cerr << "sentinel-agent: no status yet in " << data_dir
              << " (the agent writes it while it runs)\n";
    return kExitFailure;
  }
  std::cout << in.rdbuf();
  return 0;
}

int run_agent(const RuntimeOptions& options) {
  // Signals are taken by one thread with sigwait; every other thread has them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A write to a pipe whose reader is gone (the watcher child's) fails with EPIPE instead.
  ::signal(SIGPIPE, SIG_IGN);
  // glibc gives each thread that allocates its own arena by default; the agent's few threads
  // allocate little and rarely at the same time, so two arenas hold less idle memory. Fixed
  // thresholds: by default glibc raises both after the first large buffer is freed, and from
  // then on keeps up to 64 MB of freed memory instead of returning it.
  ::mallopt(M_ARENA_MAX, 2);
  ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  ::mallopt(M_TRIM_THRESHOLD, 512 * 1024);

  AgentConfig config = options.config;
  boost::json::object central = read_json_object(central_config_path(options.data_dir));
  if (!central.empty()) {
    auto applied = apply_central_config(central, config);
    if (applied) {
      config = std::move(*applied);
    } else {
      spdlog::warn("ignoring saved central settings: {}", applied.error().message);
      central.clear();
    }
  }
  spdlog::set_level(spdlog::level::from_str(config.log_level));

  auto identity = load_identity(options.data_dir);
  if (!identity) {
    spdlog::error(
        "{} (enrol first: sentinel-agent --server URL --enroll-token TOKEN "
        "--data-dir {})",
        identity.error().message, options.data_dir);
    return kExitFailure;
  }
  auto spool = Spool::open(SpoolOptions{.path = options.data_dir + "/spool.db",
                                        .max_bytes = config.spool_max_mb << 20,
                                        .sync_full = config.spool_sync == "power"});
  if (!spool) {
    spdlog::error("spool: {}", spool.error().message);
    return kExitFailure;
  }
  ResourceGovernor governor(
      ResourceLimits{.memory_max_bytes = config.memory_max_mb << 20,
                     .cpu_max_percent = static_cast<double>(config.cpu_max_percent)});
  auto mode = governor.apply();
  spdlog::info("agent {} limits: memory {} MB, cpu {}% ({})", identity->agent_id,
               config.memory_max_mb, config.cpu_max_percent,
               mode ? *mode : "self-monitoring: " + mode.error().message);

  std::mutex config_mutex;
  ChannelLoop* loop_ptr = nullptr;
  InventoryJob inventory(
      InventoryJobOptions{.data_dir = options.data_dir,
                          .interval = std::chrono::seconds(config.inventory_interval_s),
                          .sandbox = config.sandbox,
                          .sandbox_user = config.sandbox_user},
      **spool,
      [&loop_ptr] {
        if (loop_ptr != nullptr) loop_ptr->notify();
      },
      &governor);

  // Host events (logs, file integrity, processes) from the watcher child; its settings are
  // read at start (a change of logs.* or fim.* needs a restart).
  watch::WatchSettings watch_settings{.log_files = config.log_files,
                                      .journal = config.log_journal,
                                      .fim_paths = config.fim_paths,
                                      .fim_exclude = config.fim_exclude,
                                      .fim_interval_s = config.fim_interval_s,
                                      .process_events = config.process_events,
                                      .state_dir = options.data_dir + "/watch"};
  if (watch_settings.any()) {
    if (Status prepared = prepare_state_dir(watch_settings.state_dir,
                                            SandboxOptions{.user = config.sandbox_user});
        !prepared) {
      spdlog::error("watch: {}", prepared.error().message);
      return kExitFailure;
    }
  }
  if (watch_settings.journal) {
    // Loaded here, before the confined watcher child is forked from this process: the child
    // inherits it and need not map a library under its seccomp filter. Failure is reported by
    // the journal source itself (a collector.error event).
    if (auto api = logs::journal_api(); !api) spdlog::warn("watch: {}", api.error().message);
  }
  WatchJobOptions watch_options{
      .data_dir = options.data_dir, .sandbox = config.sandbox, .sandbox_user = config.sandbox_user};
  if (watch_settings.process_events) {
    // The process connector's socket is opened here, where SO_RCVBUFFORCE (CAP_NET_ADMIN) can
    // give it a receive queue above net.core.rmem_max: the watcher child drops that capability
    // before it makes the collector, and a burst of execs beyond the queue is lost.
    watch_options.open_privileged_fd = [] {
      auto socket = process::ProcessStartCollector::open_socket(
          process::ProcessStartOptions{}.receive_buffer_bytes);
      return socket ? *socket : -1;
    };
  }
  WatchJob watcher(
      std::move(watch_options), **spool,
      [watch_settings](const boost::json::object& checkpoint,
                       std::shared_ptr<spdlog::logger> logger, int privileged_fd) {
        return watch::make_sources(watch_settings, checkpoint, std::move(logger), privileged_fd);
      },
      [&loop_ptr] {
        if (loop_ptr != nullptr) loop_ptr->notify();
      });

  // The firewall enforcer (ADR 0006): a confined worker with CAP_NET_ADMIN only; an
  // unprivileged agent answers firewall commands with why it cannot enforce them.
  FirewallJob firewall(FirewallJobOptions{.data_dir = options.data_dir,
                                          .enabled = config.firewall,
                                          .sandbox = config.sandbox,
                                          .sandbox_user = config.sandbox_user},
                       **spool, [&loop_ptr] {
                         if (loop_ptr != nullptr) loop_ptr->notify();
                       });

  // Shards of distributed scans (ADR 0005): each in a fresh confined worker child that keeps
  // CAP_NET_RAW only (seccomp profile `scanner`, agent/scan/scan_worker.h), started from this
  // binary as it is now (opened here: a self-update that replaces the file does not change it).
  SystemClock clock;
  ConfinedShardEngine scan_engine(ConfinedShardEngineOptions{
      .sandbox = SandboxOptions{.user = config.sandbox_user}, .executable = "/proc/self/exe"});
  ShardRunner scans(ShardRunnerOptions{}, scan_engine, clock);

  ChannelHooks hooks;
  hooks.collect_inventory = [&inventory] { inventory.trigger_full(); };
  hooks.scan_shard = [&scans](const std::string& name, const boost::json::object& args) {
    return scans.handle(name, args);
  };
  hooks.firewall = [&firewall](const std::string& name, const boost::json::object& args) {
    return firewall.run_command(name, args);
  };
  // A block must never cut the agent off from its server (the server cannot know the address
  // the agent reaches it by when that is a host name or goes through NAT).
  hooks.connected = [&firewall](const std::vector<std::string>& addresses) {
    firewall.set_server_addresses(addresses);
  };
  hooks.set_config = [&](const boost::json::object& overrides) -> Result<boost::json::object> {
    std::lock_guard lock(config_mutex);
    SENTINEL_ASSIGN(updated, apply_central_config(overrides, config));
    config = std::move(updated);
    merge(central, overrides);
    SENTINEL_TRY(write_file_atomically(central_config_path(options.data_dir),
                                       boost::json::serialize(central), 0600));
    inventory.set_interval(std::chrono::seconds(config.inventory_interval_s));
    governor.set_limits(
        ResourceLimits{.memory_max_bytes = config.memory_max_mb << 20,
                       .cpu_max_percent = static_cast<double>(config.cpu_max_percent)});
    spdlog::set_level(spdlog::level::from_str(config.log_level));
    spdlog::info("central settings applied: {}", boost::json::serialize(overrides));
    return runtime_settings(config);
  };
  // The channel's heartbeats and acknowledgements come from different threads, and status.json
  // has one temp file: one writer at a time.
  std::mutex status_mutex;
  hooks.heartbeat = [&] {
    release_free_memory();  // what a burst of events left behind
    {
      std::lock_guard lock(status_mutex);
      write_status(options.data_dir, *identity, **spool);
    }
    const ResourceSample sample = governor.sample();
    const SpoolStats stats = (*spool)->stats();
    return protocol::Heartbeat{.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count(),
                               .spool_pending = stats.pending_events,
                               .spool_bytes = stats.pending_bytes,
                               .rss_bytes = sample.rss_bytes,
                               .cpu_percent = sample.cpu_percent};
  };

  auto last_status = std::chrono::steady_clock::time_point{};
  hooks.acknowledged = [&] {
    std::lock_guard lock(status_mutex);
    const auto now = std::chrono::steady_clock::now();
    // At most five writes a second, but always the one that empties the spool.
    if (now - last_status < std::chrono::milliseconds(200) &&
        (*spool)->stats().pending_events > 0) {
      return;
    }
    last_status = now;
    write_status(options.data_dir, *identity, **spool);
  };
  write_status(options.data_dir, *identity, **spool);

  ChannelLoop loop(ChannelLoopOptions{.data_dir = options.data_dir,
                                      .channel = config.channel,
                                      .agent_version = options.version},
                   **spool, std::move(hooks));
  loop_ptr = &loop;

  std::atomic<bool> stop{false};
  std::thread signal_waiter([&] {
    int received = 0;
    sigwait(&signals, &received);
    spdlog::info("signal {}: stopping", received);
    stop = true;
    loop.notify();
  });

  firewall.start();
  inventory.start();
  if (watch_settings.any()) {
    spdlog::info("watch: logs {} file(s){}, fim {} path(s), process events {}",
                 watch_settings.log_files.size(), watch_settings.journal ? " and the journal" : "",
                 watch_settings.fim_paths.size(), watch_settings.process_events ? "on" : "off");
    watcher.start();
  }
  std::thread selftest;
  if (options.selftest_events > 0) {
    selftest = std::thread([&] {
      run_selftest(**spool, options.selftest_events, options.selftest_rate, stop,
                   [&loop] { loop.notify(); });
    });
  }
  loop.run(stop);
  if (selftest.joinable()) selftest.join();
  write_status(options.data_dir, *identity, **spool);
  inventory.stop();
  watcher.stop();
  firewall.stop();
  const bool stopped_by_signal = stop;
  if (!stopped_by_signal) {
    // run() only returns early on a configuration error; wake the waiter so it can be joined.
    pthread_kill(signal_waiter.native_handle(), SIGTERM);
  }
  signal_waiter.join();
  loop_ptr = nullptr;
  spdlog::info("agent stopped");
  return stopped_by_signal ? 0 : kExitFailure;
}

}  // namespace sentinel::agent
