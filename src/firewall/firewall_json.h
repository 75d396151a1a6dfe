#pragma once
// The JSON forms of the policy service's values, for the API and the bus topic "firewall", and
// the answer to a refusal that lists problems.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "sentinel/firewall/policy_problem.h"
#include "sentinel/firewall/policy_service.h"
#include "sentinel/gateway/http.h"

namespace sentinel::firewall {

boost::json::object summary_json(const PolicySummary& policy);
/// The version; with its document (parsed back into JSON) when it has one.
boost::json::object version_json(const PolicyVersion& version);
/// The summary plus the newest version's document, sha256, comment and author.
boost::json::object detail_json(const PolicyDetail& detail);
/// detail_json plus "warnings".
boost::json::object saved_json(const SavedPolicy& saved);
/// {"policy_id", "group" or "agent_id", "priority", "created_at", "created_by"}.
boost::json::object assignment_json(const Assignment& assignment);
/// {"agent_id", "policy": summary, "version", "sha256", "assignment"} or with "policy": null.
boost::json::object effective_json(const std::string& agent_id,
                                   const std::optional<EffectivePolicy>& effective);
boost::json::object state_json(const AgentFirewallState& state);
/// state_json plus "effective" ({"policy_id","policy_name","version"} or null) and "in_sync".
boost::json::object status_json(const AgentFirewallStatus& status);
boost::json::object apply_result_json(const AgentApplyResult& result);

/// A refusal for what a document or definition holds: the error document with every problem
/// beside it, `{"error": {...}, "problems": [...]}`, so that an editor or a form can show each
/// next to its place. Refused policies and feed definitions answer so.
gateway::Response refusal_with_problems(const Error& error, const std::vector<Problem>& problems);

/// {"type":"firewall","action":ACTION,"agent_id":...,"state":{...}}: one message on the bus.
std::string state_message(std::string_view action, const AgentFirewallState& state);

}  // namespace sentinel::firewall
