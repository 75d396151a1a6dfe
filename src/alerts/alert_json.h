#pragma once
// The API's JSON form of alerts and comments, shared by the routes and the bus messages.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "sentinel/alerts/alert_service.h"

namespace sentinel::alerts {

/// {"id","rule_id","rule_title","severity","status","agent_id","hostname","entity","summary",
/// "tags","count","first_seen","last_seen","assignee","comment_count"}; times ISO 8601 UTC,
/// absent agent, hostname and assignee as null.
boost::json::object alert_json(const Alert& alert);

/// {"id","author","text","created_at"}.
boost::json::object comment_json(const AlertComment& comment);

/// The bus message: {"type":"alert","action":action,"alert":{...}}.
std::string alert_message(std::string_view action, const Alert& alert);

}  // namespace sentinel::alerts
