#pragma once
// What the cut-off check protects for one agent (ADR 0006 "Validation"): the agent's connection
// to the channel endpoint, from the agent registry's last seen address and the channel's
// configured address.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/firewall/address.h"
#include "sentinel/firewall/policy_validator.h"

namespace sentinel::firewall {

/// The endpoints to keep reachable and the agent's own address. `unknown` says, for people, why
/// there is no endpoint (the server's address is not known), and is empty otherwise.
struct CutOffContext {
  std::vector<ServerEndpoint> endpoints;
  std::optional<IpAddress> agent_address;
  std::string unknown;
};

/// The address an agent connects to: the host and port of `public_channel_url` (wss:// or
/// https://, port 443 when absent) when set, else `channel_listen` (config agents.listen,
/// HOST:PORT). A host that is a name, or a wildcard listen address (0.0.0.0, ::), is not known
/// here, except that an agent last seen on a loopback address reached a loopback endpoint.
/// `agent_last_address` is the registry's remote address of the agent ("" when never seen;
/// IPv4-mapped IPv6 addresses count as IPv4). Pure.
CutOffContext cut_off_context(std::string_view channel_listen, std::string_view public_channel_url,
                              std::string_view agent_last_address);

/// The address an agent was last seen at, or nullopt when it does not parse.
std::optional<IpAddress> agent_address_of(std::string_view last_address);

/// The validator's context for the agent: its endpoints and address, and `force`.
ValidationContext validation_context(const CutOffContext& cut_off, bool force);

/// A `may_cut_off` warning saying why the cut-off check could not run, when it could not.
std::optional<Problem> unknown_endpoint_warning(const CutOffContext& cut_off);

}  // namespace sentinel::firewall
