#pragma once
// The watcher child's log: the child has no stderr (it is /dev/null) and must not touch the
// agent's loggers it inherited over fork, so what its collectors log (inotify overflow, watch
// limit, unreadable paths) goes into this queue and from there, as `log` records, to the agent,
// which logs it with a "watch:" prefix. A flood cannot swamp the pipe: at most `per_minute`
// lines pass in each minute; the rest are counted and announced in one line when it ends.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "agent/watch/watch_protocol.h"
#include "sentinel/common/clock.h"

namespace spdlog {
class logger;
}

namespace sentinel::agent::watch {

/// The queue of log lines. Thread-safe (hashing threads may log too).
class WatchLog {
 public:
  /// Lines let through per minute by default.
  static constexpr std::size_t kDefaultPerMinute = 30;
  static constexpr std::int64_t kWindowMs = 60'000;

  /// `clock` must outlive the log.
  explicit WatchLog(const Clock& clock, std::size_t per_minute = kDefaultPerMinute);

  /// Queues a line (made fit by make_log_line), or counts it when this minute's are used up.
  void add(LogLevel level, std::string_view message);
  /// Takes the queued lines, oldest first, with a "suppressed" line for a minute that ended
  /// with lines dropped.
  std::vector<LogLine> take();
  /// A logger whose lines (info and above) go into this queue; it must not be used after the
  /// queue is gone.
  std::shared_ptr<spdlog::logger> logger();

 private:
  // Starts a new window when the current one is over. Holds mutex_.
  void roll(std::int64_t now_ms);

  const Clock& clock_;
  const std::size_t per_minute_;
  std::mutex mutex_;
  std::vector<LogLine> queued_;
  std::int64_t window_start_ms_ = -1;
  std::size_t passed_ = 0;
  std::size_t suppressed_ = 0;
};

}  // namespace sentinel::agent::watch
