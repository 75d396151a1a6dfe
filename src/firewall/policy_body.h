#pragma once
// Strict readers of the firewall policy routes' JSON bodies: unknown keys, duplicate keys
// (anywhere, the document's included), wrong types and missing fields are refused with a
// message naming the field. Range and reference checks are the service's. Pure.

#include <boost/json/object.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "sentinel/common/result.h"
#include "sentinel/firewall/policy_service.h"

namespace sentinel::firewall {

/// The gateway's strict object reading (only `allowed` keys), then a check for keys given twice
/// anywhere in the body, which boost::json would resolve silently by keeping the last. Shared by
/// the firewall's bodies (feeds too).
Result<boost::json::object> read_body(std::string_view body,
                                      std::initializer_list<std::string_view> allowed);

/// POST /api/v1/firewall/policies: {"name", "description"?, "document", "comment"?}.
Result<NewPolicy> parse_new_policy(std::string_view body);

/// PUT /api/v1/firewall/policies/{id}: {"document", "comment"?, "name"?, "description"?,
/// "base_version"?}; `if_match` is the If-Match header ("3" or "\"3\"", empty when absent).
/// Both given and different: kInvalidArgument.
Result<PolicyEdit> parse_policy_edit(std::string_view body, std::string_view if_match);

/// POST .../rollback: {"version", "comment"?, "base_version"?} and If-Match as for an edit.
Result<PolicyRollback> parse_policy_rollback(std::string_view body, std::string_view if_match);

/// POST /api/v1/firewall/validate: {"document", "agent_id"?, "force"?}.
Result<ValidationRequest> parse_validation_request(std::string_view body);

/// PUT .../assignments: {"assignments": [{"group": NAME | "agent_id": ID, "priority"?}]}.
Result<std::vector<Assignment>> parse_assignments(std::string_view body);

/// POST /api/v1/firewall/apply: {"policy_id"?, "agent_ids"?, "force"?}.
Result<ApplyRequest> parse_apply_request(std::string_view body);

}  // namespace sentinel::firewall
