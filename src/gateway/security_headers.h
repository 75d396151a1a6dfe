#pragma once
// Headers every gateway response carries, and the request id policy.

#include <string>
#include <string_view>

#include "sentinel/gateway/http.h"

namespace sentinel::gateway {

/// The client's X-Request-Id when it is 1-64 characters of [A-Za-z0-9._-], else a new random id.
std::string accept_request_id(std::string_view client_value);

/// Adds HSTS, CSP, nosniff, frame and referrer policies, and Cache-Control (no-store for the API
/// and built-in endpoints, no-cache for portal files) to `response`.
void add_security_headers(Response& response, std::string_view path);

}  // namespace sentinel::gateway
