#pragma once
// The rules for what an agent reports about its host: it is untrusted input.

#include "sentinel/agents/agent_registry.h"
#include "sentinel/common/result.h"

namespace sentinel::agents {

/// hostname: 1..253 printable ASCII characters (no spaces); os, kernel, arch, agent_version: at
/// most 255 bytes without control characters. kInvalidArgument names the field.
Status check_facts(const AgentFacts& facts);

}  // namespace sentinel::agents
