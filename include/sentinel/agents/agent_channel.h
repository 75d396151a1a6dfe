#pragma once
// The agents service's side of the agent channel: what each frame means (hello, event batches,
// gaps, heartbeats, command results, certificate renewal), ingest with acknowledgement after
// commit, commands from the server to agents, and disconnection of misbehaving or revoked agents.

#include <boost/json/object.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "sentinel/agents/agent_registry.h"
#include "sentinel/auth/audit_log.h"
#include "sentinel/bus/bus.h"
#include "sentinel/common/clock.h"
#include "sentinel/common/metrics.h"
#include "sentinel/gateway/agent_channel.h"
#include "sentinel/gateway/router.h"
#include "sentinel/inventory/inventory_service.h"
#include "sentinel/protocol/agent_protocol.h"
#include "sentinel/server/service.h"
#include "sentinel/store/database.h"

namespace sentinel::agents {

/// Limits that protect the server (and the other agents) from one agent.
struct ChannelSettings {
  int heartbeat_s = 15;               // told to agents in "welcome"
  double max_frames_per_s = 200;      // sustained; a burst of 5 s worth is allowed
  double max_bytes_per_s = 16 << 20;  // sustained frame bytes; same burst
  int worker_threads = 2;             // frames are decoded and handled here, not on I/O threads
};

/// Implements gateway::ChannelHandler. A server::Service: start() starts ingest and the workers,
/// stop() finishes queued frames and stops. Thread-safe.
class AgentChannel : public gateway::ChannelHandler, public server::Service {
 public:
  /// The collaborators must outlive the channel. `inventory` may be null (then inventory events
  /// are stored but not applied).
  static std::unique_ptr<AgentChannel> create(AgentRegistry& registry, store::Database& database,
                                              bus::Bus& bus, inventory::InventoryService* inventory,
                                              const Clock& clock, MetricsRegistry& metrics,
                                              ChannelSettings settings);

  /// Sends command `name` with `args` to a connected agent and waits for its result.
  /// kNotFound when the agent is not connected here, kUnavailable on timeout.
  virtual Result<protocol::CommandResult> run_command(const std::string& agent_id,
                                                      const std::string& name,
                                                      boost::json::object args,
                                                      std::chrono::milliseconds timeout) = 0;
  /// Agents connected to this process.
  virtual std::size_t connected_count() const = 0;
};

/// POST /api/v1/agents/{id}/commands {"name", "args"?}: runs a command on a connected agent
/// (agents:write, audited).
Status register_command_routes(gateway::Router& router, AgentChannel& channel,
                               auth::AuditLog& audit);

}  // namespace sentinel::agents
