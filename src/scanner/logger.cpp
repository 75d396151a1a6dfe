#include "logger.h"

namespace sentinel::scanner {

spdlog::logger& scanner_log() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    if (auto registered = spdlog::get("scanner")) return registered;
    return spdlog::default_logger()->clone("scanner");
  }();
  return *logger;
}

}  // namespace sentinel::scanner
