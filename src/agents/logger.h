#pragma once
// The agents service's named logger.

#include <spdlog/spdlog.h>

namespace sentinel::agents {

/// The "agents" logger registered by the server, or a clone of the default logger under that
/// name when none is registered. Thread-safe.
spdlog::logger& agents_log();

}  // namespace sentinel::agents
