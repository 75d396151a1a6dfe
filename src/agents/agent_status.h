#pragma once
// How an agent's status follows from what is stored.

#include <cstdint>

#include "sentinel/agents/agent_registry.h"

namespace sentinel::agents {

/// revoked when revoked_at is set; online when connected and seen within `offline_after_ms`
/// before `now_ms` (a server that died without recording the disconnect leaves `connected` set,
/// so the last-seen time decides); offline otherwise. SqlAgentRepository's status filter is the
/// same rule in SQL.
AgentStatus status_at(const AgentRecord& agent, std::int64_t now_ms, std::int64_t offline_after_ms);

}  // namespace sentinel::agents
