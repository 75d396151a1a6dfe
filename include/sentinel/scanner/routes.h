#pragma once
// The scanner service's HTTP routes.

#include "sentinel/common/result.h"
#include "sentinel/gateway/router.h"
#include "sentinel/scanner/scanner_service.h"

namespace sentinel::scanner {

/// Adds GET /api/v1/scans, /api/v1/scans/{id}, /{id}/results, /{id}/diff and
/// /api/v1/scan-scopes (scans:read); POST /api/v1/scans, POST /api/v1/scans/import and
/// DELETE /api/v1/scans/{id} (scans:write). `service` must outlive the router.
Status register_scanner_routes(gateway::Router& router, ScannerService& service);

}  // namespace sentinel::scanner
