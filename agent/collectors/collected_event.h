#pragma once
// What every host-event collector (logs, fim, process) hands to the agent: an event type and its
// flat ECS-style fields (ADR 0004). The agent spools it with a sequence number.

#include <cstdint>
#include <string>
#include <vector>

#include "sentinel/detection/detection.h"

namespace sentinel::agent {

/// One event a collector saw. `fields` names are unique; values are text (integers in decimal).
struct CollectedEvent {
  std::string type;  // "log", "fim", "fim.batch", "process.start", "network.connection", ...
  std::int64_t time_ms = 0;
  std::vector<detection::Field> fields;
};

}  // namespace sentinel::agent
