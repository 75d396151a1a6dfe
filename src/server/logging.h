#pragma once
// Logging set-up: one sink, one named logger per service.

#include "sentinel/server/config.h"

namespace sentinel::server {

/// Registers the loggers of every service ("server", "gateway", "auth", ...) on one stderr sink
/// with the configured level and format. Call once, before any service starts.
void setup_logging(const LogConfig& config);

}  // namespace sentinel::server
