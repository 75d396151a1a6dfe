#include "logger.h"

namespace sentinel::firewall {

spdlog::logger& firewall_log() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    if (auto registered = spdlog::get("firewall")) return registered;
    return spdlog::default_logger()->clone("firewall");
  }();
  return *logger;
}

}  // namespace sentinel::firewall
