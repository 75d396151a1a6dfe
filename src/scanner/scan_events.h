#pragma once
// A completed job's changes as `scan.change` events: stored with the other events (so that
// GET /api/v1/events finds them) and published on the bus topic "event" (so that detection
// rules see them).

#include <cstdint>
#include <string>
#include <vector>

#include "sentinel/events/event_store.h"
#include "sentinel/scanner/scan_diff.h"

namespace sentinel::scanner {

/// The event type of a scan change.
inline constexpr std::string_view kScanChangeEvent = "scan.change";

/// One event per change, at `time_ms`, with ECS-style fields: event.category "network",
/// event.action (the change), destination.ip, destination.port, network.transport,
/// service.name (when known), scan.id, scan.previous_id and a message. Server-derived: no agent
/// and no sequence number. Pure.
std::vector<events::NewEvent> change_events(const ScanDiff& diff, std::int64_t time_ms);

/// The bus message of the topic "event" for a stored event, as agents' events are published:
/// {"type":"event","event":{"id","agent_id","seq","time","type","data"}} with time in Unix ms.
std::string event_message(const events::StoredEvent& event);

}  // namespace sentinel::scanner
