#include "schedule_timing.h"

#include <fmt/format.h>

namespace sentinel::scanner {
namespace {

constexpr std::int64_t kDayMs = 24 * 60 * 60 * 1000;

// The daily time strictly after `now_ms`.
std::int64_t next_daily(int minute, std::int64_t now_ms) {
  // Floor division: times before 1970 are not expected, but must not land a day late.
  std::int64_t day = now_ms / kDayMs;
  if (now_ms % kDayMs < 0) --day;
  std::int64_t at = day * kDayMs + std::int64_t{minute} * 60 * 1000;
  while (at <= now_ms) at += kDayMs;
  return at;
}

}  // namespace

ScheduleRecurrence effective_recurrence(const ScheduleRecurrence& recurrence,
                                        std::int64_t min_interval_s) {
  ScheduleRecurrence effective = recurrence;
  if (!recurrence.daily_minute && recurrence.interval_s < min_interval_s) {
    effective.interval_s = min_interval_s;
  }
  return effective;
}

std::int64_t first_run_ms(const ScheduleRecurrence& recurrence, std::int64_t now_ms) {
  if (recurrence.daily_minute) return next_daily(*recurrence.daily_minute, now_ms);
  return now_ms + recurrence.interval_s * 1000;
}

std::int64_t next_run_ms(const ScheduleRecurrence& recurrence, std::int64_t due_ms,
                         std::int64_t now_ms) {
  if (recurrence.daily_minute) return next_daily(*recurrence.daily_minute, now_ms);
  const std::int64_t interval_ms = recurrence.interval_s * 1000;
  if (interval_ms <= 0) return now_ms;  // not a valid schedule; never loop
  // The grid of the schedule (due + k * interval), first point after now: an interval schedule
  // keeps its phase across a late or missed run.
  if (due_ms > now_ms) return due_ms + interval_ms;
  const std::int64_t missed = (now_ms - due_ms) / interval_ms;
  return due_ms + (missed + 1) * interval_ms;
}

std::optional<int> parse_daily_time(std::string_view text) {
  const auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (text.size() != 5 || text[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) {
    return std::nullopt;
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (hours > 23 || minutes > 59) return std::nullopt;
  return hours * 60 + minutes;
}

std::string daily_time_text(int minute) {
  return fmt::format("{:02}:{:02}", minute / 60, minute % 60);
}

}  // namespace sentinel::scanner
