#pragma once
// Turns a stored event, as the ingest publishes it on the bus, into the flat field list rules
// read (ADR 0004): the agent's fields as they are, nested data flattened to dotted names,
// ECS aliases for the server-derived inventory events, and event.type, agent.id, host.name.

#include <functional>
#include <string>
#include <string_view>

#include "sentinel/common/result.h"
#include "sentinel/detection/detection.h"

namespace sentinel::detect {

/// Parses one bus payload {"type":"event","event":{"id","agent_id","seq","time","type","data"}}.
/// `host_name` is added as host.name when not empty. kInvalidArgument for anything else.
Result<detection::Event> normalise(std::string_view payload,
                                   const std::function<std::string(const std::string&)>& host_name);

}  // namespace sentinel::detect
