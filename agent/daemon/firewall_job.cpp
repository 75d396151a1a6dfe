#include "agent/daemon/firewall_job.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/capability.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstring>

#include "agent/firewall/firewall_commands.h"
#include "agent/firewall/firewall_worker.h"
#include "agent/firewall/worker_protocol.h"

namespace sentinel::agent {
namespace {

namespace json = boost::json;

// How long a stopping worker gets to finish its request and exit before it is killed.
constexpr auto kStopGrace = std::chrono::seconds(5);
constexpr auto kFirstBackoff = std::chrono::milliseconds(1000);

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Whether this process may change nftables at all.
bool has_net_admin() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return false;
  return (data[0].effective & (1u << CAP_NET_ADMIN)) != 0;
}

// The files of a state dir belong to its owner: left by an agent that ran the worker
// unconfined (as root), they would otherwise be unreadable to the confined worker's user.
Status give_files_to_dir_owner(const std::string& dir) {
  struct stat owner {};
  if (::stat(dir.c_str(), &owner) != 0) {
    return unavailable(fmt::format("cannot stat {}: {}", dir, std::strerror(errno)));
  }
  DIR* listing = ::opendir(dir.c_str());
  if (listing == nullptr) {
    return unavailable(fmt::format("cannot list {}: {}", dir, std::strerror(errno)));
  }
  while (const dirent* entry = ::readdir(listing)) {
    if (entry->d_type != DT_REG) continue;
    const std::string path = dir + "/" + entry->d_name;
    if (::lchown(path.c_str(), owner.st_uid, owner.st_gid) != 0) {
      ::closedir(listing);
      return unavailable(fmt::format("cannot chown {}: {}", path, std::strerror(errno)));
    }
  }
  ::closedir(listing);
  return ok();
}

}  // namespace

/// A running worker: the agent's end of its socket, and the child or thread behind it.
struct FirewallJob::Worker {
  int fd = -1;
  std::optional<ConfinedProcess> child;
  SandboxOptions sandbox;
  std::thread thread;
  std::chrono::steady_clock::time_point started;
};

FirewallJob::FirewallJob(FirewallJobOptions options, Spool& spool, std::function<void()> spooled)
    : options_(std::move(options)), spool_(spool), spooled_(std::move(spooled)) {
  if (!options_.enabled) {
    disabled_ = "turned off in the agent's configuration (firewall.enabled: false)";
  } else if (!has_net_admin()) {
    disabled_ =
        "the agent runs without CAP_NET_ADMIN (unprivileged); run it as root or grant it "
        "that capability to enforce firewall policies";
  }
}

FirewallJob::~FirewallJob() { stop(); }

void FirewallJob::start() {
  if (!disabled_.empty()) {
    spdlog::info("firewall: enforcement unavailable: {}", disabled_);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (Status started = start_worker(); !started) {
      spdlog::error("firewall: enforcement unavailable: {} (trying again in {} ms)", unavailable_,
                    backoff_.count());
    }
  }
  timer_ = std::thread([this] { run(); });
}

void FirewallJob::stop() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (timer_.joinable()) timer_.join();
  std::lock_guard lock(mutex_);
  stop_worker();
  unavailable_ = "the agent is stopping";
}

Result<json::object> FirewallJob::run_command(const std::string& name, const json::object& args) {
  if (!firewall::is_firewall_command(name)) {
    return invalid_argument(fmt::format("unknown command '{}'", name), "name");
  }
  if (!disabled_.empty()) return unavailable(std::string(kFirewallUnavailable) + disabled_);
  std::lock_guard lock(mutex_);
  auto result = request(name, args);
  if (result) {
    spdlog::info("firewall: {} done", name);
  } else {
    spdlog::warn("firewall: {} failed: {}", name, result.error().message);
  }
  return result;
}

void FirewallJob::set_server_addresses(std::vector<std::string> addresses) {
  if (!disabled_.empty()) return;
  std::lock_guard lock(mutex_);
  if (addresses == server_addresses_) return;
  server_addresses_ = std::move(addresses);
  if (worker_) send_server_addresses();
}

void FirewallJob::send_server_addresses() {
  if (server_addresses_.empty()) return;
  json::array addresses;
  for (const std::string& address : server_addresses_) addresses.push_back(json::string(address));
  auto answer = request(std::string(firewall::kServerAddressesRequest),
                        json::object{{"addresses", std::move(addresses)}});
  if (!answer) {
    spdlog::error("firewall: the server's addresses were not taken: {}", answer.error().message);
    return;
  }
  spdlog::info("firewall: never blocked, the server this agent reports to: {}",
               json::serialize(answer->at("addresses")));
  const json::value* unblocked = answer->if_contains("unblocked");
  if (unblocked != nullptr && unblocked->is_array() && !unblocked->get_array().empty()) {
    spdlog::warn("firewall: blocks of the server this agent reports to lifted: {}",
                 json::serialize(*unblocked));
  }
}

void FirewallJob::run() {
  int ticks = 0;
  while (true) {
    {
      std::unique_lock lock(wake_mutex_);
      wake_.wait_for(lock, options_.tick, [this] { return stopping_; });
      if (stopping_) return;
    }
    std::lock_guard lock(mutex_);
    if (!worker_) {
      if (std::chrono::steady_clock::now() < next_start_) continue;
      if (Status started = start_worker(); !started) {
        spdlog::error("firewall: enforcement unavailable: {} (trying again in {} ms)", unavailable_,
                      backoff_.count());
        continue;
      }
    }
    ++ticks;
    const bool drift = options_.drift_every_ticks > 0 && ticks % options_.drift_every_ticks == 0;
    auto result = request("maintain", json::object{{"drift", drift}});
    if (!result) {
      spdlog::warn("firewall: {}", result.error().message);
      continue;
    }
    spool_maintenance("maintain", *result);
  }
}

void FirewallJob::schedule_restart(bool ran_long) {
  if (ran_long) backoff_ = std::chrono::milliseconds(0);
  backoff_ = std::min(std::max(backoff_ * 2, std::chrono::milliseconds(kFirstBackoff)),
                      options_.max_restart_backoff);
  next_start_ = std::chrono::steady_clock::now() + backoff_;
}

Status FirewallJob::start_worker() {
  Status started = launch_worker();
  if (started) {
    unavailable_.clear();
    spdlog::info("firewall: enforcer worker running ({})",
                 options_.sandbox ? "confined, CAP_NET_ADMIN only" : "in-process: sandbox off");
    return ok();
  }
  // A worker that died during its first request was dropped, and its restart scheduled, by
  // request(); one that answered with an error is stopped here.
  const bool died = !worker_;
  stop_worker();
  const std::string& message = started.error().message;
  unavailable_ = message.starts_with(kFirewallUnavailable)
                     ? message.substr(kFirewallUnavailable.size())
                     : message;
  if (!died) schedule_restart(false);
  return unavailable(unavailable_);
}

Status FirewallJob::launch_worker() {
  const std::string dir = options_.data_dir + "/firewall";
  auto worker = std::make_unique<Worker>();
  worker->sandbox.user = options_.sandbox_user;
  worker->sandbox.firewall = true;
  worker->sandbox.working_dir = dir;
  worker->started = std::chrono::steady_clock::now();
  if (options_.sandbox) {
    SENTINEL_TRY(prepare_state_dir(dir, worker->sandbox));
    SENTINEL_TRY(give_files_to_dir_owner(dir));
    // The child changed into its state dir before dropping privileges: "." is all it needs.
    SENTINEL_ASSIGN(child,
                    spawn_confined([](int fd) { return firewall::run_firewall_worker(fd, "."); },
                                   worker->sandbox));
    worker->fd = child.output_fd;
    worker->child = child;
  } else {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
      return unavailable(fmt::format("socketpair: {}", std::strerror(errno)));
    }
    worker->fd = fds[0];
    worker->thread = std::thread([fd = fds[1], dir] {
      (void)firewall::run_firewall_worker(fd, dir);
      ::close(fd);
    });
  }
  worker_ = std::move(worker);
  // Before anything re-adds blocks: a restarted worker knows the server as the last one did.
  send_server_addresses();
  if (!worker_) return unavailable(unavailable_);
  // The first request: a pending apply past its deadline rolls back now (also after a crash).
  SENTINEL_ASSIGN(recovered, request("recover", json::object{}));
  spool_maintenance("recover", recovered);
  return ok();
}

void FirewallJob::stop_worker() {
  if (!worker_) return;
  Worker& worker = *worker_;
  // End of requests: the worker sees the end of its stream and exits; its end closing in turn
  // says that it did.
  ::shutdown(worker.fd, SHUT_WR);
  auto rest = firewall::read_frame(worker.fd, std::chrono::milliseconds(kStopGrace));
  const bool ended = !rest && rest.error().reason == "closed";
  if (worker.child) {
    if (Status finished = finish_confined(*worker.child, !ended, worker.sandbox); !finished) {
      spdlog::warn("firewall: enforcer worker: {}", finished.error().message);
    }
  } else {
    ::close(worker.fd);
    if (worker.thread.joinable()) worker.thread.join();
  }
  worker_.reset();
}

Result<json::object> FirewallJob::request(const std::string& name, const json::object& args) {
  if (!worker_) return unavailable(std::string(kFirewallUnavailable) + unavailable_);
  Worker& worker = *worker_;
  Status sent = firewall::write_frame(worker.fd, firewall::encode_request({name, args}));
  auto answer = sent ? firewall::read_frame(worker.fd, options_.request_timeout)
                     : Result<std::string>(sent.error());
  if (answer) return firewall::decode_response(*answer);

  // The worker is gone or hung: say why, and start another at the next tick.
  std::string why = answer.error().message;
  if (worker.child) {
    Status finished = finish_confined(*worker.child, true, worker.sandbox);
    if (!finished) why = finished.error().message;
  } else {
    ::shutdown(worker.fd, SHUT_RDWR);
    ::close(worker.fd);
    if (worker.thread.joinable()) worker.thread.join();
  }
  const bool ran_long =
      std::chrono::steady_clock::now() - worker.started > options_.max_restart_backoff;
  worker_.reset();
  unavailable_ = fmt::format("the enforcer worker ended during '{}': {}", name, why);
  schedule_restart(ran_long);
  spdlog::error("firewall: {}", unavailable_);
  return unavailable(std::string(kFirewallUnavailable) + unavailable_);
}

void FirewallJob::spool_maintenance(const std::string& what, const json::object& result) {
  auto done = firewall::decode_maintenance(result);
  if (!done) {
    spdlog::error("firewall: {}: {}", what, done.error().message);
    return;
  }
  for (const std::string& problem : done->problems) spdlog::warn("firewall: {}", problem);
  bool appended = false;
  for (const json::object& event : done->events) {
    const std::string action(event.at("event.action").as_string());
    if (const json::value* message = event.if_contains("message");
        message && message->is_string()) {
      spdlog::warn("firewall: {}", std::string_view(message->as_string()));
    }
    auto seq = spool_.append(action, json::serialize(event), now_ms());
    if (!seq) {
      spdlog::error("firewall: cannot spool {}: {}", action, seq.error().message);
      continue;
    }
    appended = true;
  }
  if (appended && spooled_) spooled_();
}

}  // namespace sentinel::agent
