#pragma once
// GET /api/v1/events: search stored events; GET /api/v1/events/summary: counts for dashboards.

#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"
#include "sentinel/events/event_store.h"
#include "sentinel/gateway/router.h"

namespace sentinel::events {

/// Adds the event routes; `store` and `clock` (the summary's "now") must outlive the router's use.
Status register_event_routes(gateway::Router& router, EventStore& store, const Clock& clock);

/// The API form of an event: {"id","agent_id","seq","time","received","type","data"}.
boost::json::object event_json(const StoredEvent& event);

}  // namespace sentinel::events
