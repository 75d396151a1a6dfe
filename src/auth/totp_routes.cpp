// /api/v1/auth/totp/*: enrolment, recovery codes, disabling own 2FA.

#include <boost/json/array.hpp>

#include "route_support.h"

namespace sentinel::auth {
namespace {

using gateway::Request;
using gateway::Response;

Response codes_response(const std::vector<Secret>& codes) {
  boost::json::array list;
  for (const auto& code : codes) list.emplace_back(code.reveal());
  Response response = Response::json(boost::json::object{{"recovery_codes", std::move(list)}});
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

Result<Secret> password_body(const Request& request) {
  SENTINEL_ASSIGN(body, gateway::parse_json_object(request.body, {"password"}));
  SENTINEL_ASSIGN(password, gateway::required_string(body, "password"));
  return Secret(std::move(password));
}

Result<Response> setup(AuthService& service, Request& request) {
  SENTINEL_TRY(gateway::parse_json_object(request.body.empty() ? "{}" : request.body, {}));
  SENTINEL_ASSIGN(setup, service.begin_totp_setup(request.caller(), client_of(request)));
  Response response = Response::json(boost::json::object{
      {"secret", setup.secret_base32.reveal()}, {"otpauth_uri", setup.otpauth_uri.reveal()}});
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

Result<Response> confirm(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(body, gateway::parse_json_object(request.body, {"code"}));
  SENTINEL_ASSIGN(code, gateway::required_string(body, "code"));
  SENTINEL_ASSIGN(codes, service.confirm_totp(request.caller(), code, client_of(request)));
  return codes_response(codes);
}

Result<Response> disable(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(password, password_body(request));
  SENTINEL_TRY(service.disable_totp(request.caller(), password, client_of(request)));
  return Response::no_content();
}

Result<Response> regenerate(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(password, password_body(request));
  SENTINEL_ASSIGN(
      codes, service.regenerate_recovery_codes(request.caller(), password, client_of(request)));
  return codes_response(codes);
}

}  // namespace

Status register_totp_routes(gateway::Router& router, AuthService& service) {
  const std::string permission(gateway::kAuthenticated);
  SENTINEL_TRY(router.add({"POST", "/api/v1/auth/totp/setup", permission,
                           "Start TOTP enrolment: a new secret and its otpauth URI",
                           [&service](Request& r) { return setup(service, r); }}));
  SENTINEL_TRY(router.add({"POST",
                           "/api/v1/auth/totp/confirm",
                           permission,
                           "Confirm TOTP enrolment with a code; returns ten recovery codes",
                           [&service](Request& r) { return confirm(service, r); },
                           {"code"}}));
  SENTINEL_TRY(router.add({"DELETE",
                           "/api/v1/auth/totp",
                           permission,
                           "Turn your own 2FA off (password needed)",
                           [&service](Request& r) { return disable(service, r); },
                           {"password"}}));
  return router.add({"POST",
                     "/api/v1/auth/totp/recovery-codes",
                     permission,
                     "Replace your recovery codes (password needed)",
                     [&service](Request& r) { return regenerate(service, r); },
                     {"password"}});
}

}  // namespace sentinel::auth
