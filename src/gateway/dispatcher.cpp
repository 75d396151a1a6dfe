#include "dispatcher.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <exception>

#include "logger.h"
#include "sentinel/common/crypto.h"
#include "static_files.h"

namespace sentinel::gateway {
namespace {

bool changes_state(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

// HEAD is routed as GET.
std::string_view routed_method(const Request& request) {
  return request.method == "HEAD" ? std::string_view("GET") : std::string_view(request.method);
}

bool is_api_path(std::string_view path) { return path == "/api" || path.substr(0, 5) == "/api/"; }

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) {
      return std::nullopt;
    }
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

Response method_not_allowed(const std::vector<std::string>& allowed) {
  Response response = error_response(Error{
      ErrorCode::kInvalidArgument, "method not allowed for this path", "method_not_allowed", {}});
  response.status = 405;
  response.headers.emplace_back("Allow", fmt::format("{}", fmt::join(allowed, ", ")));
  return response;
}

Response internal_failure() { return error_response(internal_error("internal error")); }

// A session whose role requires 2FA that is not set up yet may only enrol, look at itself and
// leave.
bool usable_before_totp_enrollment(std::string_view pattern) {
  return pattern == "/api/v1/auth/me" || pattern == "/api/v1/auth/logout" ||
         pattern.rfind("/api/v1/auth/totp", 0) == 0;
}

// A handler's result as the answer; internal errors are logged and answered without detail.
Dispatched answer(const Route& route, const Request& request, Result<Response> response) {
  if (response) return {std::move(*response), route.pattern};
  const Error& error = response.error();
  if (error.code != ErrorCode::kInternal) return {error_response(error), route.pattern};
  gateway_log().error("handler failed request_id={} route=\"{} {}\" error=\"{}\"",
                      request.request_id, route.method, route.pattern, error.message);
  return {internal_failure(), route.pattern};
}

// Runs `attempt` (authorisation and handler of `route`); what it throws is logged and answered
// with a 500.
template <typename Attempt>
std::optional<Dispatched> guarded(const Route& route, const Request& request, Attempt attempt) {
  try {
    return attempt();
  } catch (const std::exception& e) {
    gateway_log().error("handler threw request_id={} route=\"{} {}\" error=\"{}\"",
                        request.request_id, route.method, route.pattern, e.what());
  } catch (...) {
    gateway_log().error("handler threw request_id={} route=\"{} {}\"", request.request_id,
                        route.method, route.pattern);
  }
  return Dispatched{internal_failure(), route.pattern};
}

}  // namespace

Result<auth::Principal> authenticate(const Request& request, auth::Authenticator& authenticator) {
  const auto token = bearer_token(request.header("authorization"));
  if (auto session = request.cookie(kSessionCookie); session && !session->empty()) {
    auto principal =
        authenticator.authenticate_session(Secret(std::move(*session)), request.remote_address);
    if (principal || !token) return principal;
  }
  if (token)
    return authenticator.authenticate_token(Secret(std::string(*token)), request.remote_address);
  return unauthenticated("authentication required: session cookie or bearer token");
}

std::optional<auth::Principal> cached_caller(const Request& request,
                                             auth::Authenticator& authenticator) {
  // The same order as authenticate(): a cached session wins; a session that is not cached might
  // be invalid, and then the token would be tried, which only authenticate() can decide.
  if (auto session = request.cookie(kSessionCookie); session && !session->empty()) {
    return authenticator.cached_session(Secret(std::move(*session)));
  }
  const auto token = bearer_token(request.header("authorization"));
  if (!token) return std::nullopt;
  return authenticator.cached_token(Secret(std::string(*token)));
}

Dispatcher::Dispatcher(Router router, auth::Authenticator& authenticator,
                       std::filesystem::path web_root)
    : router_(std::move(router)), authenticator_(authenticator), web_root_(std::move(web_root)) {}

Dispatched Dispatcher::dispatch(Request& request) const {
  const std::string_view method = routed_method(request);
  RouteMatch match = router_.match(method, request.path);
  switch (match.kind) {
    case RouteMatch::Kind::kFound:
      request.path_params = std::move(match.params);
      return run(*match.route, request);
    case RouteMatch::Kind::kMethodNotAllowed:
      return {method_not_allowed(match.allowed_methods), "unmatched"};
    case RouteMatch::Kind::kNotFound:
      break;
  }
  if (method == "GET" && !web_root_.empty() && !is_api_path(request.path)) {
    try {
      if (auto file = serve_static(web_root_, request.path, request.header("accept-encoding"))) {
        return {std::move(*file), "static"};
      }
    } catch (const std::exception& e) {
      gateway_log().error("static file failed request_id={} error={}", request.request_id,
                          e.what());
      return {internal_failure(), "static"};
    }
  }
  return {error_response(not_found("no such path")), "unmatched"};
}

std::optional<Dispatched> Dispatcher::dispatch_quick(Request& request) const {
  RouteMatch match = router_.match(routed_method(request), request.path);
  if (match.kind != RouteMatch::Kind::kFound || !match.route->quick) return std::nullopt;
  const Route& route = *match.route;
  request.path_params = std::move(match.params);
  return guarded(route, request, [&]() -> std::optional<Dispatched> {
    if (route.permission != kPublic) {
      auto principal = cached_caller(request, authenticator_);
      if (!principal) return std::nullopt;
      if (Status allowed = admit(route, request, std::move(*principal)); !allowed) {
        return Dispatched{error_response(allowed.error()), route.pattern};
      }
    }
    auto response = route.quick(request);
    if (!response) return std::nullopt;
    return answer(route, request, std::move(*response));
  });
}

const Route* Dispatcher::long_running(const Request& request) const {
  const RouteMatch match = router_.match(routed_method(request), request.path);
  const bool found = match.kind == RouteMatch::Kind::kFound && match.route->long_running;
  return found ? match.route : nullptr;
}

Status Dispatcher::authorize(const Route& route, Request& request) const {
  if (route.permission == kPublic) return ok();
  SENTINEL_ASSIGN(principal, authenticate(request, authenticator_));
  return admit(route, request, std::move(principal));
}

Status Dispatcher::admit(const Route& route, Request& request, auth::Principal principal) const {
  if (principal.kind == auth::CredentialKind::kSession && changes_state(request.method) &&
      (principal.csrf_token.empty() ||
       !crypto::constant_time_equal(request.header("x-csrf-token"),
                                    principal.csrf_token.reveal()))) {
    return Error{
        ErrorCode::kPermissionDenied, "missing or wrong X-CSRF-Token header", "csrf_failed", {}};
  }
  if (principal.totp_enrollment_required && !usable_before_totp_enrollment(route.pattern)) {
    return Error{ErrorCode::kPermissionDenied,
                 "your role requires two-factor authentication: set up TOTP first",
                 "totp_enrollment_required",
                 {}};
  }
  if (route.permission != kAuthenticated && !principal.has(route.permission)) {
    return permission_denied(fmt::format("permission '{}' required", route.permission));
  }
  request.principal = std::move(principal);
  return ok();
}

Dispatched Dispatcher::run(const Route& route, Request& request) const {
  auto dispatched = guarded(route, request, [&]() -> std::optional<Dispatched> {
    if (Status allowed = authorize(route, request); !allowed) {
      return Dispatched{error_response(allowed.error()), route.pattern};
    }
    return answer(route, request, route.handler(request));
  });
  return std::move(*dispatched);
}

}  // namespace sentinel::gateway
