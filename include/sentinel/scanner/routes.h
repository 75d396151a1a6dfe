#pragma once
// The scanner service's HTTP routes.

#include <memory>

#include "sentinel/common/result.h"
#include "sentinel/gateway/router.h"
#include "sentinel/scan/port_names.h"
#include "sentinel/scanner/scanner_service.h"

namespace sentinel::scanner {

/// Adds GET /api/v1/scans, /api/v1/scans/{id}, /{id}/results, /{id}/diff (scans:read); POST
/// /api/v1/scans, POST /api/v1/scans/import and DELETE /api/v1/scans/{id} (scans:write); and the
/// routes of the service's scopes and schedules below. `service` must outlive the router;
/// results name ports by `port_names`.
Status register_scanner_routes(gateway::Router& router, ScannerService& service,
                               std::shared_ptr<const scan::PortNames> port_names);

/// Adds GET /api/v1/scan-scopes and POST /api/v1/scan-scopes/check (scans:read), POST
/// /api/v1/scan-scopes and DELETE /api/v1/scan-scopes/{id} (scans:admin). `scopes` must outlive
/// the router.
Status register_scope_routes(gateway::Router& router, ScopeRegistry& scopes);

/// Adds GET /api/v1/scan-schedules and /{id} (scans:read), POST, PUT /{id}, DELETE /{id} and
/// POST /{id}/run-now (scans:write). `schedules` must outlive the router.
Status register_schedule_routes(gateway::Router& router, ScanSchedules& schedules);

}  // namespace sentinel::scanner
