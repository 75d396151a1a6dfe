#pragma once
// Shared pieces of the agents routes.

#include "sentinel/agents/agent_registry.h"
#include "sentinel/agents/enrollment.h"
#include "sentinel/gateway/request_params.h"
#include "sentinel/gateway/router.h"

namespace sentinel::agents {

Status register_registry_routes(gateway::Router& router, AgentRegistry& registry);
Status register_enrollment_routes(gateway::Router& router, EnrollmentService& enrollment);

using gateway::client_of;

/// A JSON reply that must not be cached (it carries a secret or a certificate).
gateway::Response uncached_json(const boost::json::value& value, int status);

}  // namespace sentinel::agents
