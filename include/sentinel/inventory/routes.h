#pragma once
// The inventory's HTTP routes (permission agents:read):
//   GET /api/v1/agents/{id}/packages            [{"name","version","arch","source"}] by name
//   GET /api/v1/agents/{id}/inventory/{section} {"items":[...]}
//   GET /api/v1/agents/{id}/changes             ?section=&limit=&before= newest first
//   GET /api/v1/inventory/packages              ?name=X[&below=VERSION]
//   GET /api/v1/inventory/ports                 ?port=P[&protocol=tcp|udp]

#include "sentinel/gateway/router.h"
#include "sentinel/inventory/inventory_service.h"

namespace sentinel::inventory {

/// Adds the routes to `router`; `service` must outlive it.
Status register_inventory_routes(gateway::Router& router, InventoryService& service);

}  // namespace sentinel::inventory
