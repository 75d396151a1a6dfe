#pragma once
// The HTTP routes of blocks and the allow-list.

#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"
#include "sentinel/firewall/allow_list.h"
#include "sentinel/firewall/block_service.h"
#include "sentinel/gateway/router.h"

namespace sentinel::firewall {

/// Adds GET /api/v1/firewall/blocks (?active=true|false, limit, offset) and
/// GET /api/v1/firewall/blocks/{id} (firewall:read), POST /api/v1/firewall/blocks
/// {"address", "duration_s", "agent_id"?, "group"?, "reason"?} → 201 with the block (its "id"
/// among it) and DELETE /api/v1/firewall/blocks/{id} (firewall:write); GET
/// /api/v1/firewall/allow-list (firewall:read), POST /api/v1/firewall/allow-list {"cidr",
/// "comment"?} (lifts the active blocks it covers) and DELETE /api/v1/firewall/allow-list/{id}
/// (firewall:write). `clock` says which blocks are active in answers. The services and the
/// clock must outlive the router.
Status register_block_routes(gateway::Router& router, BlockService& blocks, AllowList& allow_list,
                             const Clock& clock);

}  // namespace sentinel::firewall
