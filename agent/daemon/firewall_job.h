#pragma once
// Runs the firewall enforcer (ADR 0006) for the agent: a confined worker child that keeps only
// CAP_NET_ADMIN (or a thread when the sandbox is off), the channel's firewall commands passed to
// it, and a timer: every second the commit-confirm deadline, every five seconds drift. Rollbacks
// and repaired drift are spooled as events. Without the capability (an unprivileged agent) the
// commands fail with "firewall enforcement unavailable: ..." and the agent works on.

#include <boost/json/object.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/sandbox/sandbox.h"
#include "agent/spool/spool.h"
#include "sentinel/common/result.h"

namespace sentinel::agent {

/// Every error of a command that never reached the enforcer starts with this.
inline constexpr std::string_view kFirewallUnavailable = "firewall enforcement unavailable: ";

struct FirewallJobOptions {
  std::string data_dir;  // the state lives in DATA_DIR/firewall
  bool enabled = true;   // firewall.enabled
  bool sandbox = true;   // a confined child; false: a thread of the agent
  std::string sandbox_user = "nobody";
  std::chrono::milliseconds tick{1000};  // the commit-confirm deadline is checked this often
  int drift_every_ticks = 5;             // and drift every this many ticks
  std::chrono::milliseconds request_timeout{60'000};  // the worker's answer to one request
  std::chrono::milliseconds max_restart_backoff{60'000};
};

/// Thread-safe: run_command from the channel's threads while the timer runs; start() and
/// stop() from one thread.
class FirewallJob {
 public:
  /// `spooled` runs after events were added to `spool` (both must outlive the job).
  FirewallJob(FirewallJobOptions options, Spool& spool, std::function<void()> spooled);
  ~FirewallJob();
  FirewallJob(const FirewallJob&) = delete;
  FirewallJob& operator=(const FirewallJob&) = delete;

  /// Starts the worker (which recovers the state: a pending apply past its deadline rolls back
  /// now) and the timer. Never fails: why enforcement is unavailable is logged and answered to
  /// every command, and a worker that could not start is tried again with back-off.
  void start();
  /// Stops the timer and the worker (which keeps the table as it is: the kernel enforces it).
  void stop();

  /// A firewall_* command from the channel: its result, or the error (invalid arguments naming
  /// the field, a stale confirm, nft's refusal, or kFirewallUnavailable and why).
  Result<boost::json::object> run_command(const std::string& name, const boost::json::object& args);

  /// The addresses of the server this agent reports to (the channel's peer, then what its name
  /// resolved to), from each new channel connection: no block ever covers them, in this worker
  /// and in every worker started later. Blocks of them already in force are lifted (logged).
  void set_server_addresses(std::vector<std::string> addresses);

 private:
  struct Worker;
  void run();
  // The ones below need mutex_.
  Status start_worker();   // launch_worker, and on failure why and when to try again
  Status launch_worker();  // spawn (or a thread) and the first request, "recover"
  void stop_worker();
  void schedule_restart(bool ran_long);  // back-off doubling to the maximum; reset after a
                                         // worker that ran for longer than that
  Result<boost::json::object> request(const std::string& name, const boost::json::object& args);
  void send_server_addresses();
  void spool_maintenance(const std::string& what, const boost::json::object& result);

  FirewallJobOptions options_;
  Spool& spool_;
  std::function<void()> spooled_;
  std::string disabled_;  // why the worker is never started (configuration, capability)

  std::mutex mutex_;  // the worker, one request at a time
  std::unique_ptr<Worker> worker_;
  std::string unavailable_;  // why there is no worker right now
  std::vector<std::string> server_addresses_;
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point next_start_{};

  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread timer_;
};

}  // namespace sentinel::agent
