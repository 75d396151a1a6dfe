#include "logger.h"

namespace sentinel::gateway {

spdlog::logger& gateway_log() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    if (auto registered = spdlog::get("gateway")) return registered;
    return spdlog::default_logger()->clone("gateway");
  }();
  return *logger;
}

}  // namespace sentinel::gateway
