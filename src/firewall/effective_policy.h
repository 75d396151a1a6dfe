#pragma once
// Which assignment decides an agent's policy (ADR 0006 "Assignment"): one effective policy per
// agent keeps the result explainable.

#include <optional>
#include <vector>

#include "sentinel/agents/agent_registry.h"
#include "sentinel/firewall/policy_service.h"
#include "sentinel/store/database.h"

namespace sentinel::firewall {

/// The winner among `candidates` (the agent's own assignments and its group's): an agent
/// assignment before any group assignment, then the highest priority, then the lowest policy
/// id (so that equal priorities still give one answer everywhere). nullopt when there are none.
/// Pure.
std::optional<Assignment> winning_assignment(const std::vector<Assignment>& candidates);

/// The effective policy of `agent` as stored now, with the policy's newest version; nullopt
/// when nothing is assigned to it or its group.
Result<std::optional<EffectivePolicy>> load_effective(store::Connection& connection,
                                                      const agents::AgentRecord& agent);

/// True when the agent's confirmed release is `effective`'s newest version.
bool in_sync(const AgentFirewallState& state, const EffectivePolicy& effective);

}  // namespace sentinel::firewall
