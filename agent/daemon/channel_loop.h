#pragma once
// The agent's side of the channel: connect with jittered exponential back-off, hello/welcome,
// send the spool in order and forget what the server acknowledged, answer commands, send
// heartbeats, renew the certificate before it expires.

#include <atomic>
#include <boost/json/object.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "agent/daemon/host_facts.h"
#include "agent/daemon/identity.h"
#include "agent/spool/spool.h"
#include "sentinel/common/result.h"
#include "sentinel/protocol/agent_protocol.h"

namespace sentinel::agent {

class ChannelConnection;

/// What the loop asks of the rest of the agent. Each is called on the channel's threads and
/// must not block for long.
struct ChannelHooks {
  /// Queue a full inventory now (the command "collect_inventory").
  std::function<void()> collect_inventory;
  /// Apply central settings ("set_config"); returns the settings now in force.
  std::function<Result<boost::json::object>(const boost::json::object&)> set_config;
  /// The agent's own footprint for the heartbeat.
  std::function<protocol::Heartbeat()> heartbeat;
  /// The server acknowledged events (the spool shrank).
  std::function<void()> acknowledged;
  /// A firewall_* command (ADR 0006): its result or error. Empty: such commands fail with
  /// "firewall enforcement unavailable".
  std::function<Result<boost::json::object>(const std::string& name,
                                            const boost::json::object& args)>
      firewall;
  /// A channel connection was opened (before any command is answered): the server's addresses
  /// it knows (ChannelConnection::server_addresses). Empty: nobody asks.
  std::function<void(const std::vector<std::string>& addresses)> connected;
  /// A scan_shard_* command (ADR 0005, agent/scan/shard_runner.h): its result or error. Empty:
  /// such commands fail with "distributed scanning unavailable".
  std::function<Result<boost::json::object>(const std::string& name,
                                            const boost::json::object& args)>
      scan_shard;
};

struct ChannelLoopOptions {
  std::string data_dir;
  std::string channel;  // HOST:PORT (or wss://HOST:PORT/...)
  std::string agent_version;
  std::chrono::milliseconds min_backoff{1000};
  std::chrono::milliseconds max_backoff{60'000};
  std::size_t batch_events = 500;     // per "events" frame
  std::size_t batch_bytes = 1 << 20;  // of event data per frame
  std::int64_t window_events = 5000;  // sent but not yet acknowledged
};

/// Runs until `stop` becomes true (then returns within about a second). Thread-safe notify().
class ChannelLoop {
 public:
  ChannelLoop(ChannelLoopOptions options, Spool& spool, ChannelHooks hooks);
  ~ChannelLoop();

  void run(const std::atomic<bool>& stop);
  /// New events are in the spool: send them now rather than at the next tick.
  void notify();
  /// Seconds between heartbeats as the server last said.
  int heartbeat_s() const { return heartbeat_s_.load(); }

 private:
  enum class Outcome { kRetry, kStop };
  Outcome session(const std::atomic<bool>& stop);
  void receive_loop(ChannelConnection& connection, const std::atomic<bool>& stop);
  void handle_command(ChannelConnection& connection, const protocol::Command& command);
  Status send(ChannelConnection& connection, const protocol::AgentMessage& message);
  Status send_pending(ChannelConnection& connection);
  void maybe_renew(ChannelConnection& connection, const std::string& agent_id);
  std::chrono::milliseconds next_backoff();
  void wait(std::chrono::milliseconds timeout);

  ChannelLoopOptions options_;
  Spool& spool_;
  ChannelHooks hooks_;
  HostFacts facts_;
  std::mt19937_64 random_;
  std::chrono::milliseconds backoff_;
  std::atomic<int> heartbeat_s_{15};

  std::mutex send_mutex_;  // one writer at a time: sender, command answers
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool woken_ = false;

  // Per session.
  std::atomic<bool> session_open_{false};
  std::atomic<std::int64_t> cursor_{1};  // next seq to send
  std::atomic<std::int64_t> acked_{0};
  std::mutex renewal_mutex_;  // guards the three below: the receiver thread saves renewals
  bool renewal_sent_ = false;
  std::int64_t renew_at_ms_ = 0;  // when to ask for the next certificate
  std::string pending_key_pem_;   // the new key while its certificate is being signed
};

}  // namespace sentinel::agent
