#pragma once
// One audit entry of a scanner action; a failure to record it is logged, never the caller's.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "sentinel/auth/audit_log.h"
#include "sentinel/auth/auth_types.h"
#include "sentinel/auth/principal.h"

namespace sentinel::scanner {

/// Records `action` on `target` ("scan_scope:3") by `actor` from `client`. Thread-safe like
/// the audit log.
void record_audit(auth::AuditLog& audit, std::string_view actor, const auth::ClientInfo& client,
                  std::string action, std::string target, const boost::json::object& details,
                  std::string outcome = "success");

}  // namespace sentinel::scanner
