#pragma once
// The agents service's HTTP routes.

#include "sentinel/agents/agent_registry.h"
#include "sentinel/agents/enrollment.h"
#include "sentinel/common/result.h"
#include "sentinel/gateway/router.h"

namespace sentinel::agents {

/// Adds /api/v1/agents (list, show, change, revoke, delete; agents:read / agents:write),
/// /api/v1/agents/enroll-tokens (agents:read to list, agents:write to create and revoke) and the
/// public POST /api/v1/agents/enroll. `registry` and `enrollment` must outlive the router.
Status register_agent_routes(gateway::Router& router, AgentRegistry& registry,
                             EnrollmentService& enrollment);

}  // namespace sentinel::agents
