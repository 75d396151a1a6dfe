#pragma once
// The alerts service's HTTP routes.

#include "sentinel/alerts/alert_service.h"
#include "sentinel/common/result.h"
#include "sentinel/gateway/router.h"

namespace sentinel::alerts {

/// Adds GET /api/v1/alerts and GET /api/v1/alerts/{id} (alerts:read), PATCH /api/v1/alerts/{id}
/// and POST /api/v1/alerts/{id}/comments (alerts:write). `service` must outlive the router.
Status register_alert_routes(gateway::Router& router, AlertService& service);

}  // namespace sentinel::alerts
