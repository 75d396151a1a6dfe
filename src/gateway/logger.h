#pragma once
// The gateway's named logger.

#include <spdlog/spdlog.h>

namespace sentinel::gateway {

/// The "gateway" logger registered by the server, or a clone of the default logger under that
/// name when none is registered (tests, tools). Thread-safe.
spdlog::logger& gateway_log();

}  // namespace sentinel::gateway
