#include "alert_body.h"

#include <boost/json/object.hpp>

#include "sentinel/gateway/http.h"

namespace sentinel::alerts {

Result<AlertUpdate> parse_alert_update(std::string_view body) {
  SENTINEL_ASSIGN(fields, gateway::parse_json_object(body, {"status", "assignee"}));
  AlertUpdate change;
  if (const boost::json::value* status = fields.if_contains("status")) {
    if (!status->is_string()) return invalid_argument("field 'status' must be a string", "status");
    change.status = parse_alert_status(status->get_string());
    if (!change.status) {
      return invalid_argument(
          "field 'status' must be new, acknowledged, resolved or false_positive", "status");
    }
  }
  if (const boost::json::value* assignee = fields.if_contains("assignee")) {
    if (assignee->is_null()) {
      change.assignee.emplace(std::nullopt);
    } else if (assignee->is_string() && !assignee->get_string().empty()) {
      change.assignee.emplace(std::string(assignee->get_string()));
    } else {
      return invalid_argument("field 'assignee' must be a username, or null to unassign",
                              "assignee");
    }
  }
  return change;
}

Result<std::string> parse_alert_comment(std::string_view body) {
  SENTINEL_ASSIGN(fields, gateway::parse_json_object(body, {"text"}));
  return gateway::required_string(fields, "text");
}

}  // namespace sentinel::alerts
