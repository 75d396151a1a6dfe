#pragma once
// The gateway's own public endpoints: liveness, readiness, metrics and the OpenAPI document.

#include <functional>

#include "sentinel/common/metrics.h"
#include "sentinel/gateway/router.h"

namespace sentinel::gateway {

/// The gateway's full table: the built-in public routes GET /healthz, /readyz (200 when
/// `ready_check` says so, else 503), /metrics and /api/v1/openapi.json (describing the whole
/// table), then every route of `services`. kInvalidArgument when a service route collides with a
/// built-in one. `metrics` must outlive the table.
Result<Router> build_route_table(const Router& services, MetricsRegistry& metrics,
                                 std::function<bool()> ready_check);

/// Records one finished request: sentinel_http_requests_total{route,method,status},
/// sentinel_http_request_duration_seconds{route,method} and, when it ran on the long-running
/// pool (Route::long_running), sentinel_http_long_running_requests_total{route,method}. `route`
/// is the pattern, not the path, which bounds the number of series.
void record_request(MetricsRegistry& metrics, const std::string& route, const std::string& method,
                    int status, double seconds, bool long_running);

}  // namespace sentinel::gateway
