#pragma once
// The scanner service's named logger.

#include <spdlog/spdlog.h>

namespace sentinel::scanner {

/// The "scanner" logger registered by the server, or a clone of the default logger under that
/// name when none is registered. Thread-safe.
spdlog::logger& scanner_log();

}  // namespace sentinel::scanner
