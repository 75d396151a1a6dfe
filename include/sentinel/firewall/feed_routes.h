#pragma once
// The HTTP routes of threat-intel feeds (ADR 0006 "Feeds").

#include "sentinel/common/result.h"
#include "sentinel/firewall/feed_service.h"
#include "sentinel/gateway/router.h"

namespace sentinel::firewall {

/// Adds GET /api/v1/firewall/feeds and GET /api/v1/firewall/feeds/{name} (firewall:read);
/// POST /api/v1/firewall/feeds (201), PUT and DELETE /api/v1/firewall/feeds/{name} (409 naming
/// the policies that use it) and POST /api/v1/firewall/feeds/{name}/refresh (fetch now; 200
/// with the outcome, "ok": false and "error" when the fetch failed) (firewall:write).
/// `service` must outlive the router.
Status register_feed_routes(gateway::Router& router, FeedService& service);

}  // namespace sentinel::firewall
