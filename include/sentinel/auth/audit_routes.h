#pragma once
// The audit log's HTTP routes.

#include "sentinel/auth/audit_log.h"
#include "sentinel/common/result.h"
#include "sentinel/gateway/router.h"

namespace sentinel::auth {

/// Adds GET /api/v1/audit (list, newest first) and GET /api/v1/audit/verify, both needing
/// "audit:read". `log` must outlive the router.
Status register_audit_routes(gateway::Router& router, AuditLog& log);

}  // namespace sentinel::auth
