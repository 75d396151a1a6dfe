#pragma once
// REST routes of the detect service: the loaded rules with the problems of every rule file, and
// a reload.

#include "sentinel/auth/audit_log.h"
#include "sentinel/common/result.h"
#include "sentinel/detect/detect_service.h"
#include "sentinel/gateway/router.h"

namespace sentinel::detect {

/// GET /api/v1/rules (rules:read) and POST /api/v1/rules/reload (rules:write, audited).
Status register_rule_routes(gateway::Router& router, DetectService& service, auth::AuditLog& audit);

}  // namespace sentinel::detect
