#pragma once
// When sentinelctl writes a followed job's progress line: on a terminal every time (the line is
// redrawn in place); in logs and pipes at most once a second, and the same line again only after
// a while, so that a long phase shows the job is alive without filling the log.

#include <chrono>
#include <string>
#include <string_view>

namespace sentinel::ctl {

class ProgressLog {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kMinInterval{1};
  static constexpr std::chrono::seconds kRepeatAfter{10};

  explicit ProgressLog(bool terminal) : terminal_(terminal) {}

  /// Whether to write `line` now; the job's last line (`final`) is always written. Remembers
  /// what it said yes to.
  bool should_write(std::string_view line, bool final, Clock::time_point now);

 private:
  bool terminal_;
  bool written_ = false;
  Clock::time_point written_at_{};
  std::string last_line_;
};

}  // namespace sentinel::ctl
