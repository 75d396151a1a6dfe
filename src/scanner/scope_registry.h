#pragma once
// The scope registry over the configuration's scopes and the table scan_scopes
// (src/store/migrations/0012_scan_scopes.sql).

#include <memory>

#include "sentinel/auth/audit_log.h"
#include "sentinel/common/clock.h"
#include "sentinel/scan/host_resolver.h"
#include "sentinel/scan/scan_scope.h"
#include "sentinel/scanner/scan_scopes.h"
#include "sentinel/store/database.h"

namespace sentinel::scanner {

/// A ScopeRegistry with `configured` as the configuration's scopes. Every collaborator must
/// outlive it; `resolver` is used by check() for host names.
std::unique_ptr<ScopeRegistry> make_scope_registry(store::Database& database, auth::AuditLog& audit,
                                                   const Clock& clock, scan::HostResolver& resolver,
                                                   scan::ScanScope configured);

}  // namespace sentinel::scanner
