#include "schedule_body.h"

#include <fmt/format.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "scan_body.h"
#include "schedule_timing.h"
#include "sentinel/common/text.h"
#include "sentinel/gateway/http.h"

namespace sentinel::scanner {
namespace {

Result<std::string> schedule_name(const boost::json::object& fields) {
  SENTINEL_ASSIGN(name, gateway::required_string(fields, "name"));
  if (name.empty()) return invalid_argument("field 'name' must not be empty", "name");
  if (name.size() > kMaxScheduleName) {
    return invalid_argument(
        fmt::format("field 'name' is longer than {} characters", kMaxScheduleName), "name");
  }
  if (has_control_character(name)) {
    return invalid_argument("field 'name' holds a control character", "name");
  }
  return name;
}

// The embedded scan body, parsed by the scan route's own parser; its errors are re-addressed
// to "scan.FIELD" so that the caller sees where in this body the problem is.
Result<std::pair<ScanRequest, std::string>> embedded_scan(const boost::json::object& fields) {
  const boost::json::value* scan = fields.if_contains("scan");
  if (scan == nullptr || scan->is_null()) {
    return invalid_argument("field 'scan' is required (a POST /api/v1/scans body)", "scan");
  }
  if (!scan->is_object()) {
    return invalid_argument("field 'scan' must be an object (a POST /api/v1/scans body)", "scan");
  }
  std::string text = boost::json::serialize(*scan);
  auto request = parse_scan_request(text);
  if (!request) {
    Error error = std::move(request).error();
    error.message = "in 'scan': " + error.message;
    error.field = error.field.empty() ? "scan" : "scan." + error.field;
    return error;
  }
  return std::pair{std::move(*request), std::move(text)};
}

Result<ScheduleRecurrence> recurrence(const boost::json::object& fields,
                                      std::chrono::seconds min_interval) {
  SENTINEL_ASSIGN(interval, gateway::optional_integer(fields, "interval_s"));
  SENTINEL_ASSIGN(daily_at, gateway::optional_string(fields, "daily_at"));
  if (interval && daily_at) {
    return invalid_argument("give either 'interval_s' or 'daily_at', not both", "interval_s");
  }
  ScheduleRecurrence out;
  if (daily_at) {
    out.daily_minute = parse_daily_time(*daily_at);
    if (!out.daily_minute) {
      return invalid_argument("field 'daily_at' must be a UTC time HH:MM, 00:00 to 23:59",
                              "daily_at");
    }
    return out;
  }
  if (!interval) {
    return invalid_argument(
        "one of 'interval_s' (seconds between runs) or 'daily_at' (HH:MM UTC) is required",
        "interval_s");
  }
  const std::int64_t minimum = min_interval.count();
  if (*interval < minimum || *interval > kMaxScheduleIntervalS) {
    return invalid_argument(fmt::format("field 'interval_s' must be between {} and {} seconds",
                                        minimum, kMaxScheduleIntervalS),
                            "interval_s");
  }
  out.interval_s = *interval;
  return out;
}

}  // namespace

Result<ScheduleDefinition> parse_schedule_request(std::string_view body,
                                                  std::chrono::seconds min_interval) {
  SENTINEL_ASSIGN(fields, gateway::parse_json_object(
                              body, {"name", "scan", "interval_s", "daily_at", "enabled"}));
  ScheduleDefinition definition;
  SENTINEL_ASSIGN(name, schedule_name(fields));
  definition.name = std::move(name);
  SENTINEL_ASSIGN(scan, embedded_scan(fields));
  definition.scan = std::move(scan.first);
  definition.scan_json = std::move(scan.second);
  SENTINEL_ASSIGN(when, recurrence(fields, min_interval));
  definition.recurrence = when;
  SENTINEL_ASSIGN(enabled, gateway::optional_bool(fields, "enabled"));
  definition.enabled = enabled.value_or(true);
  return definition;
}

}  // namespace sentinel::scanner
