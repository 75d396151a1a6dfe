#include "agent/watch/watch_log.h"

#include <fmt/format.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>

namespace sentinel::agent::watch {
namespace {

LogLevel level_of(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return LogLevel::kDebug;
    case spdlog::level::info:
      return LogLevel::kInfo;
    case spdlog::level::warn:
      return LogLevel::kWarn;
    default:
      return LogLevel::kError;
  }
}

// Hands each message (its text only: the agent adds time and level) to the queue.
class QueueSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit QueueSink(WatchLog& log) : log_(log) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    log_.add(level_of(message.level),
             std::string_view(message.payload.data(), message.payload.size()));
  }
  void flush_() override {}

 private:
  WatchLog& log_;
};

}  // namespace

WatchLog::WatchLog(const Clock& clock, std::size_t per_minute)
    : clock_(clock), per_minute_(per_minute) {}

void WatchLog::roll(std::int64_t now_ms) {
  if (window_start_ms_ >= 0 && now_ms < window_start_ms_ + kWindowMs) return;
  if (suppressed_ > 0) {
    queued_.push_back(make_log_line(
        LogLevel::kWarn,
        fmt::format("suppressed {} messages (more than {} a minute)", suppressed_, per_minute_)));
  }
  window_start_ms_ = now_ms;
  passed_ = 0;
  suppressed_ = 0;
}

void WatchLog::add(LogLevel level, std::string_view message) {
  std::lock_guard lock(mutex_);
  roll(clock_.now_ms());
  if (passed_ >= per_minute_) {
    ++suppressed_;
    return;
  }
  ++passed_;
  queued_.push_back(make_log_line(level, message));
}

std::vector<LogLine> WatchLog::take() {
  std::lock_guard lock(mutex_);
  // A window with lines dropped is announced once it is over, even if nothing follows.
  if (suppressed_ > 0) roll(clock_.now_ms());
  std::vector<LogLine> out;
  out.swap(queued_);
  return out;
}

std::shared_ptr<spdlog::logger> WatchLog::logger() {
  auto logger = std::make_shared<spdlog::logger>("watch", std::make_shared<QueueSink>(*this));
  logger->set_level(spdlog::level::info);
  return logger;
}

}  // namespace sentinel::agent::watch
