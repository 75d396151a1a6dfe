#include "logger.h"

namespace sentinel::agents {

spdlog::logger& agents_log() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    if (auto registered = spdlog::get("agents")) return registered;
    return spdlog::default_logger()->clone("agents");
  }();
  return *logger;
}

}  // namespace sentinel::agents
