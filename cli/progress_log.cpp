#include "progress_log.h"

namespace sentinel::ctl {

bool ProgressLog::should_write(std::string_view line, bool final, Clock::time_point now) {
  if (!terminal_ && !final && written_) {
    const auto since = now - written_at_;
    if (since < kMinInterval || (line == last_line_ && since < kRepeatAfter)) return false;
  }
  written_ = true;
  written_at_ = now;
  last_line_ = line;
  return true;
}

}  // namespace sentinel::ctl
