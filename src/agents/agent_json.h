#pragma once
// The JSON shapes of agents and enrolment tokens, shared by the routes and the bus messages.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sentinel/agents/agent_registry.h"
#include "sentinel/agents/enrollment.h"

namespace sentinel::agents {

/// {"id","hostname","os","kernel","arch","agent_version","group","labels","status",
///  "enrolled_at","first_seen","last_seen","address","revoked_at",
///  "certificate":{"serial","not_after"}|null}; times ISO 8601 UTC (null when never), group null
/// when none.
boost::json::object agent_json(const AgentRecord& agent);

/// {"id","group","labels","state","created_by","created_at","expires_at","used_at","agent_id",
///  "revoked_at"}; never the token itself.
boost::json::object enrollment_token_json(const EnrollmentTokenView& token);

/// The bus message of a registry change: {"type":"agent","action":...,"agent":{...}}.
std::string agent_event(std::string_view action, const AgentRecord& agent);

}  // namespace sentinel::agents
