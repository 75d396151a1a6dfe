#pragma once
// When a schedule is due: pure arithmetic over Unix milliseconds, so that it is unit tested with
// any clock.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sentinel/scanner/scan_schedules.h"

namespace sentinel::scanner {

/// `recurrence` as it runs while `min_interval_s` is the shortest interval allowed: an interval
/// stored when the minimum was lower is raised to it; a daily schedule is left as it is.
ScheduleRecurrence effective_recurrence(const ScheduleRecurrence& recurrence,
                                        std::int64_t min_interval_s);

/// The first run of a schedule made (or changed) at `now_ms`: one interval later, or the next
/// daily time strictly after now.
std::int64_t first_run_ms(const ScheduleRecurrence& recurrence, std::int64_t now_ms);

/// The run after the one due at `due_ms`, claimed at `now_ms` (>= due_ms): the first slot of the
/// schedule strictly after now. Runs missed in between (the server was down, the scheduler
/// late) are not made up: the claimed run was the one catch-up.
std::int64_t next_run_ms(const ScheduleRecurrence& recurrence, std::int64_t due_ms,
                         std::int64_t now_ms);

/// "HH:MM" (two digits each, 00:00 to 23:59) as minutes after midnight; nullopt otherwise.
std::optional<int> parse_daily_time(std::string_view text);
/// The inverse of parse_daily_time().
std::string daily_time_text(int minute);

}  // namespace sentinel::scanner
