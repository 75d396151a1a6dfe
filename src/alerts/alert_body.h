#pragma once
// The request bodies of the alert routes that people write to: PATCH /api/v1/alerts/{id} and
// POST /api/v1/alerts/{id}/comments. Pure functions of the body, so that they are fuzzed and unit
// tested without a server.

#include <string>
#include <string_view>

#include "sentinel/alerts/alert_service.h"
#include "sentinel/common/result.h"

namespace sentinel::alerts {

/// Parses a PATCH body: a JSON object with only "status" (new, acknowledged, resolved,
/// false_positive) and "assignee" (a non-empty username, or null to unassign), both optional.
/// kInvalidArgument naming the field for anything else. Thread-safe.
Result<AlertUpdate> parse_alert_update(std::string_view body);

/// Parses a comment body, {"text": "..."}, into the text. Blank and over-long text are the
/// service's to refuse (AlertService::comment). kInvalidArgument naming the field. Thread-safe.
Result<std::string> parse_alert_comment(std::string_view body);

}  // namespace sentinel::alerts
