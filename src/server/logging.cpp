#include "logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <string_view>

namespace sentinel::server {

void setup_logging(const LogConfig& config) {
  static constexpr std::array<std::string_view, 9> kLoggers = {
      "server", "gateway", "auth", "audit", "store", "bus", "stream", "agents", "ingest"};
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  // JSON lines for log shippers; the message is already key=value structured text.
  const std::string pattern =
      config.format == "json"
          ? R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","logger":"%n","msg":"%v"})"
          : "%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ [%n] %v";
  sink->set_formatter(
      std::make_unique<spdlog::pattern_formatter>(pattern, spdlog::pattern_time_type::utc));
  const auto level = spdlog::level::from_str(config.level);
  for (std::string_view name : kLoggers) {
    auto logger = std::make_shared<spdlog::logger>(std::string(name), sink);
    logger->set_level(level);
    spdlog::register_logger(logger);
  }
  spdlog::set_default_logger(spdlog::get("server"));
  spdlog::flush_every(std::chrono::seconds(1));
}

}  // namespace sentinel::server
