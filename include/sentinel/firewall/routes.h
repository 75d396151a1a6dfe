#pragma once
// The firewall policy service's HTTP routes (ADR 0006, "Routes (permission)").

#include "sentinel/common/result.h"
#include "sentinel/firewall/policy_service.h"
#include "sentinel/gateway/router.h"

namespace sentinel::firewall {

/// Adds, under /api/v1/firewall: GET policies, policies/{id}, .../versions, .../versions/{n},
/// .../diff, .../preview, .../assignments, status and agents/{id}/effective (firewall:read);
/// POST policies, PUT and DELETE policies/{id}, POST .../rollback, PUT .../assignments, POST
/// validate and POST apply (firewall:write). `service` must outlive the router.
Status register_policy_routes(gateway::Router& router, PolicyService& service);

}  // namespace sentinel::firewall
