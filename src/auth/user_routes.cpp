// /api/v1/users: list, create, read, update, delete; unlock; admin reset of 2FA.

#include <boost/json/array.hpp>

#include "route_support.h"

namespace sentinel::auth {
namespace {

using gateway::Request;
using gateway::Response;

Result<Response> list(AuthService& service, Request&) {
  SENTINEL_ASSIGN(users, service.list_users());
  boost::json::array items;
  for (const auto& user : users) items.emplace_back(user_json(user));
  return Response::json(boost::json::object{{"items", std::move(items)}});
}

Result<Response> create(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(body, gateway::parse_json_object(
                            request.body, {"username", "password", "roles", "display_name"}));
  NewUser user;
  SENTINEL_ASSIGN(username, gateway::required_string(body, "username"));
  SENTINEL_ASSIGN(password, gateway::required_string(body, "password"));
  SENTINEL_ASSIGN(roles, gateway::optional_string_list(body, "roles"));
  SENTINEL_ASSIGN(display_name, gateway::optional_string(body, "display_name"));
  if (!roles) return invalid_argument("roles is required.", "roles");
  user.username = std::move(username);
  user.password = Secret(std::move(password));
  user.roles = std::move(*roles);
  user.display_name = display_name.value_or("");
  SENTINEL_ASSIGN(created, service.create_user(request.caller(), user, client_of(request)));
  return Response::json(user_json(created), 201);
}

Result<Response> get(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(id, gateway::positive_path_id(request, "user"));
  SENTINEL_ASSIGN(user, service.get_user(id));
  return Response::json(user_json(user));
}

Result<Response> update(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(id, gateway::positive_path_id(request, "user"));
  SENTINEL_ASSIGN(body, gateway::parse_json_object(
                            request.body, {"display_name", "roles", "disabled", "password"}));
  UserUpdate update;
  SENTINEL_ASSIGN(display_name, gateway::optional_string(body, "display_name"));
  SENTINEL_ASSIGN(roles, gateway::optional_string_list(body, "roles"));
  SENTINEL_ASSIGN(disabled, gateway::optional_bool(body, "disabled"));
  SENTINEL_ASSIGN(password, gateway::optional_string(body, "password"));
  update.display_name = std::move(display_name);
  update.roles = std::move(roles);
  update.disabled = disabled;
  if (password) update.password = Secret(std::move(*password));
  SENTINEL_ASSIGN(user, service.update_user(request.caller(), id, update, client_of(request)));
  return Response::json(user_json(user));
}

Result<Response> remove(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(id, gateway::positive_path_id(request, "user"));
  SENTINEL_TRY(service.delete_user(request.caller(), id, client_of(request)));
  return Response::no_content();
}

Result<Response> unlock(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(id, gateway::positive_path_id(request, "user"));
  SENTINEL_TRY(service.unlock_user(request.caller(), id, client_of(request)));
  return Response::no_content();
}

Result<Response> reset_totp(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(id, gateway::positive_path_id(request, "user"));
  SENTINEL_TRY(service.reset_totp(request.caller(), id, client_of(request)));
  return Response::no_content();
}

}  // namespace

Status register_user_routes(gateway::Router& router, AuthService& service) {
  SENTINEL_TRY(router.add({"GET", "/api/v1/users", "users:read", "List users",
                           [&service](Request& r) { return list(service, r); }}));
  SENTINEL_TRY(router.add({"POST",
                           "/api/v1/users",
                           "users:write",
                           "Create a user",
                           [&service](Request& r) { return create(service, r); },
                           {"username", "password", "roles", "display_name"}}));
  SENTINEL_TRY(router.add({"GET", "/api/v1/users/{id}", "users:read", "One user",
                           [&service](Request& r) { return get(service, r); }}));
  SENTINEL_TRY(router.add({"PATCH",
                           "/api/v1/users/{id}",
                           "users:write",
                           "Change a user's display name, roles, disabled flag or password",
                           [&service](Request& r) { return update(service, r); },
                           {"display_name", "roles", "disabled", "password"}}));
  SENTINEL_TRY(router.add({"DELETE", "/api/v1/users/{id}", "users:write",
                           "Delete a user with its sessions and tokens",
                           [&service](Request& r) { return remove(service, r); }}));
  SENTINEL_TRY(
      router.add({"POST", "/api/v1/users/{id}/unlock", "users:write", "Lift a user's login lockout",
                  [&service](Request& r) { return unlock(service, r); }}));
  return router.add({"POST", "/api/v1/users/{id}/totp/reset", "users:write",
                     "Turn a user's 2FA off (lost device)",
                     [&service](Request& r) { return reset_totp(service, r); }});
}

}  // namespace sentinel::auth
