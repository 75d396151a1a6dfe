#pragma once
// The store's named logger.

#include <spdlog/spdlog.h>

#include <memory>

namespace sentinel::store {

/// The "store" logger when the server registered one, else spdlog's default logger.
inline std::shared_ptr<spdlog::logger> store_logger() {
  if (auto logger = spdlog::get("store")) return logger;
  return spdlog::default_logger();
}

}  // namespace sentinel::store
