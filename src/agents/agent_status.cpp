#include "agent_status.h"

namespace sentinel::agents {

std::string_view to_string(AgentStatus status) {
  switch (status) {
    case AgentStatus::kOnline:
      return "online";
    case AgentStatus::kOffline:
      return "offline";
    case AgentStatus::kRevoked:
      return "revoked";
  }
  return "offline";
}

std::optional<AgentStatus> parse_agent_status(std::string_view text) {
  for (const AgentStatus status :
       {AgentStatus::kOnline, AgentStatus::kOffline, AgentStatus::kRevoked}) {
    if (text == to_string(status)) return status;
  }
  return std::nullopt;
}

AgentStatus status_at(const AgentRecord& agent, std::int64_t now_ms,
                      std::int64_t offline_after_ms) {
  if (agent.revoked_at_ms) return AgentStatus::kRevoked;
  if (agent.connected && agent.last_seen_ms && *agent.last_seen_ms >= now_ms - offline_after_ms) {
    return AgentStatus::kOnline;
  }
  return AgentStatus::kOffline;
}

}  // namespace sentinel::agents
