// /api/v1/scans: start, list, show, cancel, results, diff, import; then the scopes and schedules.

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <cctype>
#include <cstdint>

#include "page_query.h"
#include "scan_body.h"
#include "scan_json.h"
#include "sentinel/gateway/request_params.h"
#include "sentinel/scanner/routes.h"

namespace sentinel::scanner {
namespace {

using gateway::client_of;
using gateway::Request;
using gateway::Response;

constexpr std::string_view kRead = "scans:read";
constexpr std::string_view kWrite = "scans:write";
constexpr std::int64_t kMaxLimit = 1000;

// Ids are positive integers; anything else names no scan and is answered without the database.
Result<std::int64_t> scan_id(const Request& request) {
  return gateway::positive_path_id(request, "scan");
}

// "application/xml; charset=utf-8" -> "application/xml".
std::string media_type(std::string_view content_type) {
  std::string out(content_type.substr(0, content_type.find(';')));
  out.erase(
      std::remove_if(out.begin(), out.end(), [](unsigned char c) { return std::isspace(c) != 0; }),
      out.end());
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Result<ScanJobFilter> filter_of(const Request& request) {
  ScanJobFilter filter;
  if (const auto status = request.query_param("status")) {
    filter.status = parse_job_status(*status);
    if (!filter.status) {
      return invalid_argument(
          "query parameter 'status' must be queued, running, completed, cancelled or failed",
          "status");
    }
  }
  SENTINEL_ASSIGN(limit, gateway::integer_query(request, "limit", 1, kMaxLimit));
  SENTINEL_ASSIGN(offset, gateway::integer_query(request, "offset", 0, INT64_MAX));
  filter.limit = limit.value_or(filter.limit);
  filter.offset = offset.value_or(filter.offset);
  return filter;
}

Result<Response> list(ScannerService& service, Request& request) {
  SENTINEL_ASSIGN(filter, filter_of(request));
  SENTINEL_ASSIGN(page, service.list(filter));
  boost::json::array items;
  for (const ScanJob& job : page.items) items.emplace_back(job_json(job));
  return Response::json(boost::json::object{{"items", std::move(items)}, {"total", page.total}});
}

Result<Response> start(ScannerService& service, Request& request) {
  SENTINEL_ASSIGN(scan, parse_scan_request(request.body));
  SENTINEL_ASSIGN(job, service.start_scan(request.caller(), scan, client_of(request)));
  return Response::json(job_json(job), 202);
}

Result<Response> show(ScannerService& service, Request& request) {
  SENTINEL_ASSIGN(id, scan_id(request));
  SENTINEL_ASSIGN(job, service.get(id));
  return Response::json(job_json(job));
}

Result<Response> cancel(ScannerService& service, Request& request) {
  SENTINEL_ASSIGN(id, scan_id(request));
  SENTINEL_ASSIGN(job, service.cancel(request.caller(), id, client_of(request)));
  return Response::json(job_json(job));
}

Result<Response> results(ScannerService& service, const scan::PortNames& names, Request& request) {
  SENTINEL_ASSIGN(id, scan_id(request));
  SENTINEL_ASSIGN(page, page_query(request));
  SENTINEL_ASSIGN(job, service.get(id));
  SENTINEL_ASSIGN(hosts, service.results(id, page));
  return Response::json(results_json(job, hosts, names));
}

Result<Response> diff(ScannerService& service, Request& request) {
  SENTINEL_ASSIGN(id, scan_id(request));
  SENTINEL_ASSIGN(page, page_query(request));
  SENTINEL_ASSIGN(changes, service.diff(id, page));
  return Response::json(diff_json(changes));
}

Result<Response> import(ScannerService& service, Request& request) {
  const std::string type = media_type(request.header("content-type"));
  if (type != "application/xml" && type != "text/xml") {
    return Error{ErrorCode::kInvalidArgument,
                 fmt::format("the body must be an nmap XML report (nmap -oX) sent with "
                             "Content-Type application/xml or text/xml, not '{}'",
                             type.substr(0, 64)),
                 "unsupported_media_type", "Content-Type"};
  }
  SENTINEL_ASSIGN(job, service.import_nmap(request.caller(), request.body, client_of(request)));
  return Response::json(job_json(job), 201);
}

}  // namespace

Status register_scanner_routes(gateway::Router& router, ScannerService& service,
                               std::shared_ptr<const scan::PortNames> port_names) {
  SENTINEL_TRY(router.add({"GET", "/api/v1/scans", std::string(kRead),
                           "List scan jobs, newest first (status, limit, offset); total counts "
                           "every match",
                           [&service](Request& r) { return list(service, r); }}));
  // Host names among the targets are looked up in DNS, which may take seconds each.
  SENTINEL_TRY(router.add(gateway::long_running_route(
      {"POST",
       "/api/v1/scans",
       std::string(kWrite),
       "Start a port scan of targets inside the scan scopes (ports: topN, "
       "all or a list; profile: quick, standard, full; confirm_large for "
       "more than 65,536 addresses; agents: {group}, {ids} or {networks: "
       "true} (the agents in the target networks) to split it across "
       "agents; backend: nmap with nmap: {scripts, os_detection} for "
       "NSE scripts and OS detection; discovery: false scans every address "
       "instead of finding live hosts first, like nmap -Pn; max_rate: probes "
       "per second for the whole job, max_concurrency: probes in flight, "
       "like nmap --max-rate and --max-parallelism); 202 with the queued job",
       [&service](Request& r) { return start(service, r); },
       {"targets", "exclude", "ports", "profile", "confirm_large", "agents", "backend", "nmap",
        "discovery", "max_rate", "max_concurrency"}})));
  // Parses and stores a report of up to 16 MiB.
  SENTINEL_TRY(router.add(
      gateway::long_running_route({"POST", "/api/v1/scans/import", std::string(kWrite),
                                   "Import an nmap XML report (Content-Type application/xml) as a "
                                   "completed scan",
                                   [&service](Request& r) { return import(service, r); }})));
  SENTINEL_TRY(router.add({"GET", "/api/v1/scans/{id}", std::string(kRead),
                           "Show a scan job with its status and progress",
                           [&service](Request& r) { return show(service, r); }}));
  SENTINEL_TRY(router.add({"DELETE", "/api/v1/scans/{id}", std::string(kWrite),
                           "Cancel a queued or running scan",
                           [&service](Request& r) { return cancel(service, r); }}));
  SENTINEL_TRY(router.add(
      {"GET", "/api/v1/scans/{id}/results", std::string(kRead),
       "The hosts a scan found, in address order, with their open ports and services (and "
       "port_name: what nmap-services calls each port, a guess where no service was named); "
       "paged by host (limit, default 100, at most 1000; offset); total and hosts_up count every "
       "host, open_ports every open port",
       [&service, port_names](Request& r) { return results(service, *port_names, r); }}));
  SENTINEL_TRY(router.add({"GET", "/api/v1/scans/{id}/diff", std::string(kRead),
                           "Changes against the previous completed scan of the same targets and "
                           "ports, by address (limit, default 100, at most 1000; offset); total "
                           "and counts (per action) are over every change",
                           [&service](Request& r) { return diff(service, r); }}));
  SENTINEL_TRY(register_scope_routes(router, service.scope_registry()));
  return register_schedule_routes(router, service.schedules());
}

}  // namespace sentinel::scanner
