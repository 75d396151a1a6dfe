#pragma once
// The alerts service's named logger.

#include <spdlog/spdlog.h>

namespace sentinel::alerts {

/// The "alerts" logger registered by the server, or a clone of the default logger under that
/// name when none is registered. Thread-safe.
spdlog::logger& alerts_log();

}  // namespace sentinel::alerts
