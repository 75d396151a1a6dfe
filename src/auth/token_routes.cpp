// /api/v1/tokens: create (shown once), list, revoke.

#include <boost/json/array.hpp>

#include "route_support.h"

namespace sentinel::auth {
namespace {

using gateway::Request;
using gateway::Response;

Result<Response> create(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(
      body, gateway::parse_json_object(request.body, {"name", "expires_in_days", "permissions"}));
  TokenSpec spec;
  SENTINEL_ASSIGN(name, gateway::required_string(body, "name"));
  SENTINEL_ASSIGN(days, gateway::optional_integer(body, "expires_in_days"));
  SENTINEL_ASSIGN(permissions, gateway::optional_string_list(body, "permissions"));
  spec.name = std::move(name);
  spec.expires_in_days = days;
  spec.permissions = std::move(permissions);
  SENTINEL_ASSIGN(created, service.create_token(request.caller(), spec, client_of(request)));
  boost::json::object document = token_json(created.view);
  document["token"] = created.token.reveal();
  Response response = Response::json(document, 201);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

Result<Response> list(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(tokens, service.list_tokens(request.caller(), wants_all(request)));
  boost::json::array items;
  for (const auto& token : tokens) items.emplace_back(token_json(token));
  return Response::json(boost::json::object{{"items", std::move(items)}});
}

Result<Response> revoke(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(id, gateway::positive_path_id(request, "API token"));
  SENTINEL_TRY(service.revoke_token(request.caller(), id, client_of(request)));
  return Response::no_content();
}

}  // namespace

Status register_token_routes(gateway::Router& router, AuthService& service) {
  const std::string permission(gateway::kAuthenticated);
  SENTINEL_TRY(router.add({"POST",
                           "/api/v1/tokens",
                           permission,
                           "Create an API token with a subset of your permissions (shown once)",
                           [&service](Request& r) { return create(service, r); },
                           {"name", "expires_in_days", "permissions"}}));
  SENTINEL_TRY(router.add({"GET", "/api/v1/tokens", permission,
                           "Your API tokens; ?all=true lists everyone's (tokens:admin)",
                           [&service](Request& r) { return list(service, r); }}));
  return router.add({"DELETE", "/api/v1/tokens/{id}", permission,
                     "Revoke an API token: your own, or anyone's with tokens:admin",
                     [&service](Request& r) { return revoke(service, r); }});
}

}  // namespace sentinel::auth
