#pragma once
// The body of POST and PUT /api/v1/scan-schedules. A pure function of the body, so that it is
// fuzzed and unit tested without a server.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sentinel/common/result.h"
#include "sentinel/scanner/scan_schedules.h"

namespace sentinel::scanner {

/// Characters a schedule's name may hold.
inline constexpr std::size_t kMaxScheduleName = 100;
/// The longest interval: 31 days (a longer one is a daily schedule that forgets).
inline constexpr std::int64_t kMaxScheduleIntervalS = 31 * 24 * 60 * 60;

/// Parses {"name": TEXT, "scan": SCAN_BODY, "interval_s"?: N, "daily_at"?: "HH:MM",
/// "enabled"?: bool}. `scan` is a POST /api/v1/scans body, parsed by parse_scan_request (its
/// errors name "scan.FIELD"); exactly one of interval_s (min_interval to 31 days) and daily_at
/// (UTC) is given. kInvalidArgument naming the field otherwise. Thread-safe.
Result<ScheduleDefinition> parse_schedule_request(std::string_view body,
                                                  std::chrono::seconds min_interval);

}  // namespace sentinel::scanner
