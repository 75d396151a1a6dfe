#pragma once
// One connected agent: the protocol state machine behind gateway::ChannelSession.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "channel_workers.h"
#include "ingest_writer.h"
#include "sentinel/agents/agent_channel.h"
#include "sentinel/agents/agent_registry.h"
#include "sentinel/gateway/agent_channel.h"
#include "sentinel/protocol/agent_protocol.h"

namespace sentinel::agents {

/// A token bucket: `rate` per second sustained, `burst` at once. Not thread-safe (one session
/// handles one frame at a time).
class RateBucket {
 public:
  RateBucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}
  /// Takes `amount`; false when the bucket is empty.
  bool take(double amount, std::chrono::steady_clock::time_point now);

 private:
  double rate_;
  double burst_;
  double tokens_;
  std::chrono::steady_clock::time_point last_{};
};

/// What a session needs from the service that created it.
struct SessionContext {
  AgentRegistry& registry;
  IngestWriter& ingest;
  ChannelWorkers& workers;
  MetricsRegistry& metrics;
  const ChannelSettings& settings;
  /// Stores an "agent.*" event about the connection itself (disconnect reasons).
  std::function<void(const std::string& agent_id, const std::string& type,
                     boost::json::object data)>
      record_event;
  /// Called once when the session ends.
  std::function<void(const std::string& agent_id, const void* session)> forget;
};

/// Hello first, then event batches that must continue exactly at the next expected sequence
/// number, gaps, heartbeats, command results and renewals. Any violation sends a "goodbye" with
/// the reason, records an "agent.disconnected" event and closes. Thread-safe.
class AgentSession : public gateway::ChannelSession,
                     public std::enable_shared_from_this<AgentSession> {
 public:
  AgentSession(SessionContext context, std::string agent_id,
               std::shared_ptr<gateway::ChannelSink> sink);

  void on_frame(std::string frame, std::function<void(Status)> done) override;
  void on_close(std::string_view reason) override;

  /// Sends a command; the future gets the agent's result, or is abandoned (broken promise) when
  /// the connection ends first.
  Result<std::future<protocol::CommandResult>> send_command(const std::string& name,
                                                            boost::json::object args);
  /// Closes with a goodbye of `code` (e.g. "revoked", "replaced").
  void disconnect(const std::string& code, const std::string& message);
  const std::string& agent_id() const { return agent_id_; }

 private:
  void handle(std::string frame, std::function<void(Status)> done);
  void handle_hello(const protocol::Hello& hello, std::function<void(Status)>& done);
  void handle_batch(IngestBatch batch, std::int64_t first_seq, std::int64_t last_seq,
                    std::function<void(Status)>& done);
  void handle_renewal(const protocol::RenewRequest& request, std::function<void(Status)>& done);
  void violation(const std::string& code, const std::string& message,
                 std::function<void(Status)>& done);
  void send(const protocol::ServerMessage& message);

  SessionContext context_;
  std::string agent_id_;
  std::shared_ptr<gateway::ChannelSink> sink_;
  RateBucket frames_;
  RateBucket bytes_;

  // Touched only by the one frame being handled at a time.
  bool greeted_ = false;
  std::int64_t expected_seq_ = 1;

  std::mutex commands_mutex_;
  std::map<std::string, std::promise<protocol::CommandResult>> pending_commands_;
  // Commands asked for before the welcome went out (a module reacting to "connected" may be
  // quicker than the hello's handler): sent right after it, in order. Under commands_mutex_.
  bool welcomed_ = false;
  std::vector<std::string> held_commands_;
  std::atomic<bool> closed_{false};
};

}  // namespace sentinel::agents
