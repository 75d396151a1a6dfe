#pragma once
// Agents on the server's own host. A block there drops packets from the blocked address on the
// very host the server runs on: blocking another agent's address would cut that agent off from
// the server (its channel), with no way for an unblock to reach it. So a block sent to an agent
// of the server's host leaves out the addresses agents are last seen at; the other agents in
// scope still block them (a compromised agent's host stays blocked everywhere else).

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "firewall_commands.h"
#include "sentinel/agents/agent_registry.h"
#include "sentinel/firewall/address.h"

namespace sentinel::firewall {

/// The addresses of the server's host, read when called (interfaces come and go).
using HostAddresses = std::function<std::vector<IpAddress>()>;

/// True when an agent last seen at `last_address` runs on the server's host: a loopback
/// address or one of `host_addresses` (IPv4-mapped IPv6 counts as IPv4). Pure.
bool on_server_host(std::string_view last_address, const std::vector<IpAddress>& host_addresses);

/// Of `addresses` (block addresses), each that is the last seen address of one of `agents`
/// (revoked ones aside), with the reason naming that agent. Pure.
std::vector<LeftOutBlock> agent_addresses_among(const std::vector<std::string>& addresses,
                                                const std::vector<agents::AgentRecord>& agents);

/// For each of `recipients` that runs on the server's host, what it must leave out of
/// `addresses`; recipients elsewhere, or with nothing to leave out, are not in the map. Reads
/// the host's addresses once, and the registry (every unrevoked agent) only when a recipient
/// runs on the server's host.
Result<std::map<std::string, std::vector<LeftOutBlock>>> left_out_on_server_host(
    const std::vector<agents::AgentRecord>& recipients, const std::vector<std::string>& addresses,
    agents::AgentRegistry& registry, const HostAddresses& host_addresses);

}  // namespace sentinel::firewall
