// POST /auth/login, POST /auth/logout, GET /auth/me, PUT /auth/password; and the entry point
// that registers every auth route.

#include <string>

#include "route_support.h"
#include "sentinel/auth/routes.h"

namespace sentinel::auth {
namespace {

using gateway::Request;
using gateway::Response;

std::string session_cookie(std::string_view value, bool clear) {
  std::string cookie = std::string(kSessionCookie) + "=" + std::string(value) +
                       "; Path=/; HttpOnly; Secure; SameSite=Strict";
  if (clear) cookie += "; Max-Age=0";
  return cookie;
}

Result<Response> login(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(body, parse_login_request(request.body));
  LoginOutcome outcome = service.login(body, client_of(request));
  if (!outcome.result) {
    Response response = gateway::error_response(outcome.result.error());
    if (outcome.retry_after_s > 0) {
      response.headers.emplace_back("Retry-After", std::to_string(outcome.retry_after_s));
    }
    return response;
  }
  const LoginResult& result = *outcome.result;
  boost::json::object document{
      {"csrf_token", result.csrf_token.reveal()},
      {"user", identity_json(result.identity)},
      {"expires_at", result.expires_at_ms},
      {"totp_enrollment_required", result.identity.totp_enrollment_required}};
  Response response = Response::json(document);
  response.headers.emplace_back("Set-Cookie", session_cookie(result.session_token.reveal(), false));
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

Result<Response> logout(AuthService& service, Request& request) {
  SENTINEL_TRY(gateway::parse_json_object(request.body.empty() ? "{}" : request.body, {}));
  SENTINEL_TRY(service.logout(request.caller(), client_of(request)));
  Response response = Response::no_content();
  response.headers.emplace_back("Set-Cookie", session_cookie("", true));
  return response;
}

Response identity_response(const Request& request, const Identity& identity) {
  boost::json::object document{{"user", identity_json(identity)},
                               {"totp_enrollment_required", identity.totp_enrollment_required}};
  // A reloaded portal page gets its CSRF token back here; other origins cannot read it.
  if (request.caller().kind == CredentialKind::kSession) {
    document["csrf_token"] = request.caller().csrf_token.reveal();
  }
  Response response = Response::json(document);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

Result<Response> me(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(identity, service.identity(request.caller()));
  return identity_response(request, identity);
}

// The same answer from memory, on the gateway's I/O thread; nullopt when the user is not cached.
std::optional<Result<Response>> me_from_memory(AuthService& service, Request& request) {
  auto identity = service.cached_identity(request.caller());
  if (!identity) return std::nullopt;
  return identity_response(request, *identity);
}

Result<Response> change_password(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(body,
                  gateway::parse_json_object(request.body, {"current_password", "new_password"}));
  SENTINEL_ASSIGN(current, gateway::required_string(body, "current_password"));
  SENTINEL_ASSIGN(next, gateway::required_string(body, "new_password"));
  SENTINEL_TRY(service.change_password(request.caller(), Secret(std::move(current)),
                                       Secret(std::move(next)), client_of(request)));
  return Response::no_content();
}

}  // namespace

Status register_login_routes(gateway::Router& router, AuthService& service) {
  using gateway::kAuthenticated;
  SENTINEL_TRY(router.add({"POST",
                           "/api/v1/auth/login",
                           std::string(gateway::kPublic),
                           "Sign in with username, password and TOTP code; sets the session cookie",
                           [&service](Request& r) { return login(service, r); },
                           {"username", "password", "totp"}}));
  SENTINEL_TRY(router.add({"POST", "/api/v1/auth/logout", std::string(kAuthenticated),
                           "End the current session",
                           [&service](Request& r) { return logout(service, r); }}));
  SENTINEL_TRY(router.add({"GET",
                           "/api/v1/auth/me",
                           std::string(kAuthenticated),
                           "The signed-in user, permissions and CSRF token",
                           [&service](Request& r) { return me(service, r); },
                           {},
                           [&service](Request& r) { return me_from_memory(service, r); }}));
  return router.add({"PUT",
                     "/api/v1/auth/password",
                     std::string(kAuthenticated),
                     "Change your password; ends your other sessions",
                     [&service](Request& r) { return change_password(service, r); },
                     {"current_password", "new_password"}});
}

Status register_auth_routes(gateway::Router& router, AuthService& service) {
  SENTINEL_TRY(register_login_routes(router, service));
  SENTINEL_TRY(register_totp_routes(router, service));
  SENTINEL_TRY(register_user_routes(router, service));
  SENTINEL_TRY(register_role_routes(router, service));
  SENTINEL_TRY(register_session_routes(router, service));
  return register_token_routes(router, service);
}

}  // namespace sentinel::auth
