#include "builtin_routes.h"

#include <boost/json/serialize.hpp>
#include <memory>

#ifndef SENTINEL_VERSION
#define SENTINEL_VERSION "0.0.0"
#endif

namespace sentinel::gateway {

Result<Router> build_route_table(const Router& services, MetricsRegistry& metrics,
                                 std::function<bool()> ready_check) {
  Router table;
  auto openapi = std::make_shared<std::string>();
  const Route builtins[] = {
      {"GET", "/healthz", std::string(kPublic), "Liveness: the process serves requests",
       [](Request&) -> Result<Response> {
         return Response::json({{"status", "ok"}});
       }},
      {"GET", "/readyz", std::string(kPublic),
       "Readiness: dependencies such as the database are up",
       [ready_check = std::move(ready_check)](Request&) -> Result<Response> {
         if (ready_check && !ready_check()) {
           return Response::json({{"status", "unavailable"}}, 503);
         }
         return Response::json({{"status", "ready"}});
       }},
      {"GET", "/metrics", std::string(kPublic), "Prometheus metrics in text format 0.0.4",
       [&metrics](Request&) -> Result<Response> {
         return Response::text(metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
       }},
      {"GET", "/api/v1/openapi.json", std::string(kPublic), "This OpenAPI 3.1 document",
       [openapi](Request&) -> Result<Response> {
         return Response::text(*openapi, "application/json");
       }},
  };
  for (const Route& route : builtins) SENTINEL_TRY(table.add(route));
  for (const Route& route : services.routes()) SENTINEL_TRY(table.add(route));
  *openapi = boost::json::serialize(openapi_document(table, SENTINEL_VERSION));
  return table;
}

void record_request(MetricsRegistry& metrics, const std::string& route, const std::string& method,
                    int status, double seconds, bool long_running) {
  // Called for every request: the names are built once, the labels once for both series.
  static const std::string kCountName = "sentinel_http_requests_total";
  static const std::string kCountHelp = "HTTP requests by route pattern, method and status";
  static const std::string kLatencyName = "sentinel_http_request_duration_seconds";
  static const std::string kLatencyHelp = "HTTP request latency by route pattern and method";
  static const std::string kLongRunningName = "sentinel_http_long_running_requests_total";
  static const std::string kLongRunningHelp =
      "HTTP requests served by the long-running worker pool, by route pattern and method";
  Labels labels = {{"route", route}, {"method", method}, {"status", std::to_string(status)}};
  metrics.count(kCountName, kCountHelp, labels);
  labels.pop_back();
  metrics.observe(kLatencyName, kLatencyHelp, labels, seconds);
  if (long_running) metrics.count(kLongRunningName, kLongRunningHelp, labels);
}

}  // namespace sentinel::gateway
