#include "server_host_agents.h"

#include <fmt/format.h>

#include <algorithm>

#include "channel_endpoint.h"

namespace sentinel::firewall {
namespace {

// The registry lists at most this many agents per page.
constexpr std::int64_t kAgentPage = 1000;

Result<std::vector<agents::AgentRecord>> unrevoked_agents(agents::AgentRegistry& registry) {
  std::vector<agents::AgentRecord> out;
  agents::AgentFilter filter;
  filter.limit = kAgentPage;
  for (;;) {
    SENTINEL_ASSIGN(page, registry.list(filter));
    for (agents::AgentRecord& agent : page.items) {
      if (agent.status != agents::AgentStatus::kRevoked) out.push_back(std::move(agent));
    }
    filter.offset += kAgentPage;
    if (page.items.size() < static_cast<std::size_t>(kAgentPage)) break;
  }
  return out;
}

}  // namespace

bool on_server_host(std::string_view last_address, const std::vector<IpAddress>& host_addresses) {
  const std::optional<IpAddress> address = agent_address_of(last_address);
  if (!address) return false;
  return is_loopback(*address) ||
         std::find(host_addresses.begin(), host_addresses.end(), *address) != host_addresses.end();
}

std::vector<LeftOutBlock> agent_addresses_among(const std::vector<std::string>& addresses,
                                                const std::vector<agents::AgentRecord>& agents) {
  std::vector<LeftOutBlock> out;
  for (const std::string& text : addresses) {
    const std::optional<IpAddress> blocked = agent_address_of(text);
    if (!blocked) continue;
    for (const agents::AgentRecord& agent : agents) {
      if (agent.status == agents::AgentStatus::kRevoked) continue;
      if (agent_address_of(agent.last_address) != blocked) continue;
      out.push_back({text, fmt::format("agent {} ({}) is last seen at this address: a block on the "
                                       "server's host would cut it off from the server",
                                       agent.id, agent.facts.hostname)});
      break;
    }
  }
  return out;
}

Result<std::map<std::string, std::vector<LeftOutBlock>>> left_out_on_server_host(
    const std::vector<agents::AgentRecord>& recipients, const std::vector<std::string>& addresses,
    agents::AgentRegistry& registry, const HostAddresses& host_addresses) {
  std::map<std::string, std::vector<LeftOutBlock>> out;
  if (recipients.empty() || addresses.empty()) return out;
  const std::vector<IpAddress> host = host_addresses ? host_addresses() : std::vector<IpAddress>{};
  std::vector<const agents::AgentRecord*> local;
  for (const agents::AgentRecord& recipient : recipients) {
    if (on_server_host(recipient.last_address, host)) local.push_back(&recipient);
  }
  if (local.empty()) return out;
  SENTINEL_ASSIGN(agents, unrevoked_agents(registry));
  std::vector<LeftOutBlock> left_out = agent_addresses_among(addresses, agents);
  if (left_out.empty()) return out;
  for (const agents::AgentRecord* recipient : local) out[recipient->id] = left_out;
  return out;
}

}  // namespace sentinel::firewall
