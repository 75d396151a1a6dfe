#pragma once
// The route table: every route names its method, path pattern and the permission it needs.
// The OpenAPI document and the route x role test are generated from it.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/gateway/http.h"

namespace sentinel::gateway {

/// Special permission values for Route::permission.
inline constexpr std::string_view kPublic = "public";                // no authentication
inline constexpr std::string_view kAuthenticated = "authenticated";  // any signed-in caller

/// Handlers run on a worker pool, never on the I/O thread; they may block on the database.
using Handler = std::function<Result<Response>(Request&)>;

/// An optional fast path run on the I/O thread, which must not block: the handler's answer when it
/// can be given from memory, or nullopt when it needs blocking work (then the Handler runs on the
/// worker pool). Saves the hand-off to the pool and back for cheap, frequent requests.
using QuickHandler = std::function<std::optional<Result<Response>>(Request&)>;

/// One API route. `pattern` segments in braces bind path parameters: "/api/v1/users/{id}".
struct Route {
  std::string method;
  std::string pattern;
  /// A permission name from sentinel/auth/permissions.h, or kPublic / kAuthenticated.
  std::string permission;
  /// One line for the OpenAPI document.
  std::string summary;
  Handler handler;
  /// Names of the JSON body fields the route accepts, for the OpenAPI document.
  std::vector<std::string> body_fields = {};
  /// Tried before `handler` when set, after the same authentication and permission checks (with
  /// a caller the authenticator has in memory); must answer exactly as `handler` would.
  QuickHandler quick = {};
  /// The handler holds its thread for seconds by design: it waits on agents (run_command), on a
  /// server elsewhere (a feed fetch) or on DNS, or works through a large upload. Such routes run
  /// on a pool of their own (GatewayOptions::long_running_threads), so that however many of them
  /// wait, every other route (login, /healthz) still answers. A handler that is slow only when
  /// something is wrong (a busy database) does not qualify.
  bool long_running = false;
};

/// `route` marked long_running, for marking it where it is registered:
/// `router.add(long_running_route({"POST", "/api/v1/...", ...}))`.
inline Route long_running_route(Route route) {
  route.long_running = true;
  return route;
}

/// The outcome of matching a request against the table.
struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed } kind = Kind::kNotFound;
  const Route* route = nullptr;
  std::map<std::string, std::string, std::less<>> params;
  std::vector<std::string> allowed_methods;  // for kMethodNotAllowed
};

/// The route table. Built at start, then read-only (thread-safe to match concurrently).
class Router {
 public:
  /// Adds a route; kInvalidArgument for a malformed pattern or a duplicate method+pattern.
  Status add(Route route);
  /// Matches a percent-decoded path. Literal segments win over parameters ("/users/me" over
  /// "/users/{id}"); paths with empty or dot segments or control characters match nothing.
  RouteMatch match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> segments_;  // routes_[i].pattern split at '/'
};

/// The OpenAPI 3.1 document of the table.
boost::json::value openapi_document(const Router& router, std::string_view version);

}  // namespace sentinel::gateway
