#include "logger.h"

namespace sentinel::alerts {

spdlog::logger& alerts_log() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    if (auto registered = spdlog::get("alerts")) return registered;
    return spdlog::default_logger()->clone("alerts");
  }();
  return *logger;
}

}  // namespace sentinel::alerts
