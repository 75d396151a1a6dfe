#pragma once
// The agents a distributed scan runs on, as the scanner sees them (who may be named, who is
// online, their commands), and how a job's shards are handed out to them. The server's
// ScanAgents is make_scan_agents() over the agent registry and channel; tests use a fake.

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/agents/agent_channel.h"
#include "sentinel/agents/agent_registry.h"
#include "sentinel/common/result.h"
#include "sentinel/inventory/inventory_service.h"
#include "sentinel/scan/ip_address.h"
#include "sentinel/scanner/scan_job.h"

namespace sentinel::scanner {

/// How shards are handed out.
struct ShardOptions {
  /// Addresses per shard, fewer when that gives each online agent one.
  std::uint64_t shard_addresses = 256;
  /// A lease not renewed by a poll answer for this long puts the shard back in the queue.
  std::chrono::milliseconds lease{15'000};
  /// With no agent of the selection online for this long (and no shard in hand), the job fails.
  std::chrono::milliseconds agent_wait{30'000};
  /// How long one command may take.
  std::chrono::milliseconds command_timeout{5'000};
  /// A shard that failed this many times fails the job.
  int max_attempts = 3;
  /// An agent that refused a shard (busy, or an error) is offered none for this long.
  std::chrono::milliseconds refusal_pause{5'000};
};

/// An agent's answer to a command: its result, or why it refused (ok false).
struct AgentAnswer {
  bool ok = false;
  boost::json::object result;
  std::string error;
};

/// Where an agent sits: the networks of its interfaces' addresses ("10.1.2.7/24" puts it in
/// 10.1.2.0/24), as its latest inventory reports them. Loopback and link-local networks are left
/// out: every host has its own. A plain value.
struct AgentSite {
  std::string id;
  std::vector<scan::AddressRange> networks;
};

/// The networks an interface address in inventory form ("10.1.2.7/24", "fd00::7/64") puts its
/// host in; nullopt for loopback, link-local, unspecified and malformed addresses.
std::optional<scan::AddressRange> site_network(std::string_view address);

/// Thread-safe.
class ScanAgents {
 public:
  virtual ~ScanAgents() = default;
  /// The ids among `ids` that name no agent (unknown or revoked), in the order given.
  virtual Result<std::vector<std::string>> unknown(const std::vector<std::string>& ids) = 0;
  /// How many agents (online or not, not revoked) are in `group`.
  virtual Result<std::size_t> group_size(const std::string& group) = 0;
  /// The agents of `selection` that are online now and reachable from this process (for
  /// `networks`: every such agent; where they sit is sites()' to say).
  virtual Result<std::vector<std::string>> online(const AgentSelection& selection) = 0;
  /// Every agent not revoked that sits in some network, by id.
  virtual Result<std::vector<AgentSite>> sites() = 0;
  /// Sends command `name` to `agent_id` and waits for its answer. kNotFound when the agent is not
  /// connected here, kUnavailable when it did not answer within `timeout`.
  virtual Result<AgentAnswer> command(const std::string& agent_id, const std::string& name,
                                      boost::json::object args,
                                      std::chrono::milliseconds timeout) = 0;
};

/// The server's: the registry says who exists and who is online, the inventory where they sit,
/// the channel carries the commands. All must outlive the result.
std::unique_ptr<ScanAgents> make_scan_agents(agents::AgentRegistry& registry,
                                             agents::AgentChannel& channel,
                                             inventory::InventoryService& inventory);

}  // namespace sentinel::scanner
