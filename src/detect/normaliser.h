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

/// Parses one bus payload {"type":"event","event":{"id","agent_id","seq","time","type","data"}}
/// as it reads it, without building a document. `host_name` is added as host.name when not
/// empty. A name the flattened data gives twice keeps its first value. kInvalidArgument for
/// anything else, a repeated "event" or member of it included.
Result<detection::Event> normalise(std::string_view payload,
                                   const std::function<std::string(const std::string&)>& host_name);

}  // namespace sentinel::detect
