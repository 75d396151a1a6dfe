#include "route_support.h"

#include "sentinel/agents/routes.h"

namespace sentinel::agents {

Status register_agent_routes(gateway::Router& router, AgentRegistry& registry,
                             EnrollmentService& enrollment) {
  SENTINEL_TRY(register_enrollment_routes(router, enrollment));
  return register_registry_routes(router, registry);
}

gateway::Response uncached_json(const boost::json::value& value, int status) {
  gateway::Response response = gateway::Response::json(value, status);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace sentinel::agents
