#pragma once
// The block service (ADR 0006 "Active response and blocks"): stores blocks after the allow-list
// and escalation, sends them to the online agents of their scope as `firewall_block` /
// `firewall_unblock` commands, and tells connecting agents what they must hold.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sentinel/agents/agent_channel.h"
#include "sentinel/agents/agent_registry.h"
#include "sentinel/auth/audit_log.h"
#include "sentinel/bus/bus.h"
#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"
#include "sentinel/firewall/address.h"
#include "sentinel/firewall/allow_list.h"
#include "sentinel/firewall/block.h"
#include "sentinel/server/service.h"
#include "sentinel/store/database.h"

namespace sentinel::firewall {

/// Collaborators; each must outlive the service.
struct BlockDependencies {
  store::Database& database;
  auth::AuditLog& audit;
  bus::Bus& bus;
  const Clock& clock;
  agents::AgentRegistry& registry;
  agents::AgentChannel& channel;
  AllowList& allow_list;
};

/// How commands reach agents.
struct BlockServiceOptions {
  /// Threads sending commands; a slow agent holds one of them for at most command_timeout.
  std::size_t dispatch_workers = 2;
  /// Commands waiting at most; beyond that one is dropped and logged (the agent still gets the
  /// block from active_blocks_for() when it next connects).
  std::size_t max_queued_commands = 4096;
  std::chrono::milliseconds command_timeout{5000};
  /// The addresses of the server's host, asked at each dispatch; empty: its interfaces'
  /// (getifaddrs). An agent last seen at one of them, or at loopback, runs on the server's host
  /// and never gets a block of an address another agent is last seen at (it would cut that
  /// agent off from the server); the other agents in scope do.
  std::function<std::vector<IpAddress>()> host_addresses;
};

/// Thread-safe. block() and unblock() return once the change is committed, audited
/// (`firewall.block`, `firewall.unblock`; refusals too) and published on the bus topic
/// "firewall" as {"type":"firewall","action":"block"|"unblock","block":{...}} (the API's form);
/// the commands to agents are sent afterwards on the service's own workers. start() starts
/// them; stop() refuses new commands and finishes those in flight.
class BlockService : public server::Service {
 public:
  /// kInvalidArgument for zero workers or queue size.
  static Result<std::unique_ptr<BlockService>> create(BlockDependencies dependencies,
                                                      BlockServiceOptions options = {});

  /// Checks the request (kInvalidArgument naming "address", "duration_s", "agent_id" or
  /// "group"), refuses an allow-listed address (kConflict, reason "allow_listed", the message
  /// naming the entry), escalates a repeat offender, stores the block and queues
  /// `firewall_block` for every online agent in scope. An earlier active block of the same
  /// address and scope ends, superseded by the new one.
  virtual Result<Block> block(const BlockRequest& request) = 0;
  /// Ends a block early and queues `firewall_unblock` for the online agents in its scope that no
  /// other active block of the address covers. kNotFound; kConflict when it already ended.
  virtual Result<Block> unblock(std::int64_t id, const BlockRequester& by) = 0;
  /// Ends every active block whose address `network` contains (an allow-list entry was added).
  virtual Result<std::vector<Block>> unblock_within(const IpNetwork& network,
                                                    const BlockRequester& by) = 0;

  /// kNotFound for an unknown id.
  virtual Result<Block> get(std::int64_t id) = 0;
  /// kInvalidArgument for a limit outside 1..1000 or a negative offset.
  virtual Result<BlockPage> list(const BlockFilter& filter) = 0;
  /// The addresses an agent must drop now, each with the longest remaining time of the active
  /// blocks whose scope covers the agent (for the policy sync when an agent connects).
  /// kNotFound for an unknown agent.
  virtual Result<std::vector<ActiveBlock>> active_blocks_for(const std::string& agent_id) = 0;

  /// Blocks until every command queued before the call has been sent or has failed (tests).
  virtual void flush() = 0;
};

}  // namespace sentinel::firewall
