#pragma once
// GET /api/v1/events: search stored events.

#include "sentinel/common/result.h"
#include "sentinel/events/event_store.h"
#include "sentinel/gateway/router.h"

namespace sentinel::events {

/// Adds the event routes; `store` must outlive the router's use.
Status register_event_routes(gateway::Router& router, EventStore& store);

/// The API form of an event: {"id","agent_id","seq","time","received","type","data"}.
boost::json::object event_json(const StoredEvent& event);

}  // namespace sentinel::events
