#include "effective_policy.h"

#include <algorithm>
#include <tuple>

#include "sql_policy_repository.h"

namespace sentinel::firewall {

std::optional<Assignment> winning_assignment(const std::vector<Assignment>& candidates) {
  if (candidates.empty()) return std::nullopt;
  // Smaller key = stronger claim.
  const auto key = [](const Assignment& a) {
    return std::make_tuple(a.target == AssignmentTarget::kAgent ? 0 : 1, -a.priority, a.policy_id);
  };
  return *std::min_element(
      candidates.begin(), candidates.end(),
      [&key](const Assignment& a, const Assignment& b) { return key(a) < key(b); });
}

Result<std::optional<EffectivePolicy>> load_effective(store::Connection& connection,
                                                      const agents::AgentRecord& agent) {
  SqlPolicyRepository policies(connection);
  SENTINEL_ASSIGN(candidates, policies.assignments_for(agent.id, agent.group));
  // The group column is matched by equality; an agent in no group has none of its assignments.
  std::erase_if(candidates, [&agent](const Assignment& a) {
    return a.target == AssignmentTarget::kGroup && (agent.group.empty() || a.value != agent.group);
  });
  const std::optional<Assignment> winner = winning_assignment(candidates);
  if (!winner) return std::optional<EffectivePolicy>();
  SENTINEL_ASSIGN(policy, policies.find(winner->policy_id));
  if (!policy) return std::optional<EffectivePolicy>();  // deleted meanwhile
  SENTINEL_ASSIGN(version, policies.version(policy->id, policy->version));
  if (!version) return internal_error("a firewall policy has no row for its newest version");
  return std::optional<EffectivePolicy>(EffectivePolicy{.agent_id = agent.id,
                                                        .assignment = *winner,
                                                        .policy = std::move(*policy),
                                                        .version = std::move(*version)});
}

bool in_sync(const AgentFirewallState& state, const EffectivePolicy& effective) {
  return state.confirmed_policy_id == effective.policy.id &&
         state.confirmed_version == effective.version.version &&
         state.confirmed_document_hash == effective.version.sha256;
}

}  // namespace sentinel::firewall
