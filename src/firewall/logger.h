#pragma once
// The firewall service's named logger.

#include <spdlog/spdlog.h>

namespace sentinel::firewall {

/// The "firewall" logger registered by the server, or a clone of the default logger under that
/// name when none is registered. Thread-safe.
spdlog::logger& firewall_log();

}  // namespace sentinel::firewall
