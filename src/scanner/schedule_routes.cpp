// /api/v1/scan-schedules: list, show, create, replace, delete and run now.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "page_query.h"
#include "scan_json.h"
#include "schedule_body.h"
#include "schedule_timing.h"
#include "sentinel/common/time_format.h"
#include "sentinel/gateway/request_params.h"
#include "sentinel/scanner/routes.h"

namespace sentinel::scanner {
namespace {

using gateway::client_of;
using gateway::Request;
using gateway::Response;

// A schedule starts scans: the permissions of starting one.
constexpr std::string_view kRead = "scans:read";
constexpr std::string_view kWrite = "scans:write";

Result<std::int64_t> schedule_id(const Request& request) {
  return gateway::positive_path_id(request, "scan schedule");
}

boost::json::value optional_time(const std::optional<std::int64_t>& time_ms) {
  return time_ms ? boost::json::value(iso8601_utc(*time_ms)) : boost::json::value(nullptr);
}

boost::json::object schedule_json(const ScanSchedule& schedule) {
  // The scan body was parsed when it was stored; one that no longer parses shows as text.
  boost::system::error_code ec;
  boost::json::value scan = boost::json::parse(schedule.scan_json, ec);
  if (ec) scan = schedule.scan_json;
  const auto& recurrence = schedule.recurrence;
  return {
      {"id", schedule.id},
      {"name", schedule.name},
      {"scan", std::move(scan)},
      {"interval_s", recurrence.daily_minute ? boost::json::value(nullptr) : recurrence.interval_s},
      // Above interval_s when the server's minimum was raised since: what the runs keep to.
      {"effective_interval_s", recurrence.daily_minute
                                   ? boost::json::value(nullptr)
                                   : boost::json::value(schedule.effective_interval_s)},
      {"daily_at", recurrence.daily_minute
                       ? boost::json::value(daily_time_text(*recurrence.daily_minute))
                       : boost::json::value(nullptr)},
      {"enabled", schedule.enabled},
      {"next_run_at",
       schedule.enabled ? boost::json::value(iso8601_utc(schedule.next_run_ms)) : nullptr},
      {"last_run_at", optional_time(schedule.last_run_ms)},
      {"last_job_id", schedule.last_job_id ? boost::json::value(*schedule.last_job_id) : nullptr},
      {"last_error", schedule.last_error.empty() ? boost::json::value(nullptr)
                                                 : boost::json::value(schedule.last_error)},
      {"created_by", schedule.created_by},
      {"created_at", iso8601_utc(schedule.created_ms)},
      {"updated_at", iso8601_utc(schedule.updated_ms)}};
}

Result<Response> list(ScanSchedules& schedules, Request& request) {
  SENTINEL_ASSIGN(page, page_query(request));
  SENTINEL_ASSIGN(found, schedules.list(page));
  boost::json::array items;
  for (const ScanSchedule& schedule : found.items) items.emplace_back(schedule_json(schedule));
  return Response::json(boost::json::object{{"items", std::move(items)}, {"total", found.total}});
}

Result<Response> show(ScanSchedules& schedules, Request& request) {
  SENTINEL_ASSIGN(id, schedule_id(request));
  SENTINEL_ASSIGN(schedule, schedules.get(id));
  return Response::json(schedule_json(schedule));
}

Result<Response> create(ScanSchedules& schedules, Request& request) {
  SENTINEL_ASSIGN(definition, parse_schedule_request(request.body, schedules.min_interval()));
  SENTINEL_ASSIGN(schedule, schedules.create(request.caller(), definition, client_of(request)));
  return Response::json(schedule_json(schedule), 201);
}

Result<Response> replace(ScanSchedules& schedules, Request& request) {
  SENTINEL_ASSIGN(id, schedule_id(request));
  SENTINEL_ASSIGN(definition, parse_schedule_request(request.body, schedules.min_interval()));
  SENTINEL_ASSIGN(schedule, schedules.update(request.caller(), id, definition, client_of(request)));
  return Response::json(schedule_json(schedule));
}

Result<Response> remove(ScanSchedules& schedules, Request& request) {
  SENTINEL_ASSIGN(id, schedule_id(request));
  SENTINEL_TRY(schedules.remove(request.caller(), id, client_of(request)));
  return Response::no_content();
}

Result<Response> run_now(ScanSchedules& schedules, Request& request) {
  SENTINEL_ASSIGN(id, schedule_id(request));
  SENTINEL_ASSIGN(job, schedules.run_now(request.caller(), id, client_of(request)));
  return Response::json(job_json(job), 202);
}

}  // namespace

Status register_schedule_routes(gateway::Router& router, ScanSchedules& schedules) {
  const std::vector<std::string> body = {"name", "scan", "interval_s", "daily_at", "enabled"};
  SENTINEL_TRY(router.add({"GET", "/api/v1/scan-schedules", std::string(kRead),
                           "Scan schedules by name, with their next run and last job (limit, "
                           "default 100, at most 1000; offset); total counts every schedule",
                           [&schedules](Request& r) { return list(schedules, r); }}));
  // Creating, replacing and running a schedule check its scan as POST /api/v1/scans does,
  // looking up host names in DNS.
  SENTINEL_TRY(router.add(gateway::long_running_route(
      {"POST", "/api/v1/scan-schedules", std::string(kWrite),
       "Schedule a scan (scan: a POST /api/v1/scans body; interval_s, at "
       "least 300, or daily_at HH:MM UTC); checked as a scan would be; 201",
       [&schedules](Request& r) { return create(schedules, r); }, body})));
  SENTINEL_TRY(
      router.add({"GET", "/api/v1/scan-schedules/{id}", std::string(kRead), "Show a scan schedule",
                  [&schedules](Request& r) { return show(schedules, r); }}));
  SENTINEL_TRY(router.add(gateway::long_running_route(
      {"PUT", "/api/v1/scan-schedules/{id}", std::string(kWrite),
       "Replace a scan schedule (the body of POST); its next run is counted "
       "from now",
       [&schedules](Request& r) { return replace(schedules, r); }, body})));
  SENTINEL_TRY(router.add({"DELETE", "/api/v1/scan-schedules/{id}", std::string(kWrite),
                           "Delete a scan schedule; its jobs stay",
                           [&schedules](Request& r) { return remove(schedules, r); }}));
  return router.add(gateway::long_running_route(
      {"POST", "/api/v1/scan-schedules/{id}/run-now", std::string(kWrite),
       "Start the schedule's scan now (409 while its previous job runs); 202 "
       "with the job",
       [&schedules](Request& r) { return run_now(schedules, r); }}));
}

}  // namespace sentinel::scanner
