// /api/v1/roles and /api/v1/settings/auth.

#include <fmt/format.h>

#include <array>
#include <boost/json/array.hpp>
#include <string_view>

#include "route_support.h"

namespace sentinel::auth {
namespace {

using gateway::Request;
using gateway::Response;

Result<Response> list(AuthService& service, Request&) {
  SENTINEL_ASSIGN(roles, service.list_roles());
  boost::json::array items;
  for (const auto& role : roles) items.emplace_back(role_json(role));
  return Response::json(boost::json::object{{"items", std::move(items)}});
}

Result<Response> create(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(body,
                  gateway::parse_json_object(request.body, {"name", "description", "permissions"}));
  SENTINEL_ASSIGN(name, gateway::required_string(body, "name"));
  SENTINEL_ASSIGN(description, gateway::optional_string(body, "description"));
  SENTINEL_ASSIGN(permissions, gateway::optional_string_list(body, "permissions"));
  if (!permissions) return invalid_argument("permissions is required.", "permissions");
  const RoleView role{std::move(name), description.value_or(""), std::move(*permissions), false};
  SENTINEL_ASSIGN(created, service.create_role(request.caller(), role, client_of(request)));
  return Response::json(role_json(created), 201);
}

Result<Response> update(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(body, gateway::parse_json_object(request.body, {"description", "permissions"}));
  RoleUpdate update;
  SENTINEL_ASSIGN(description, gateway::optional_string(body, "description"));
  SENTINEL_ASSIGN(permissions, gateway::optional_string_list(body, "permissions"));
  update.description = std::move(description);
  update.permissions = std::move(permissions);
  SENTINEL_ASSIGN(role, service.update_role(request.caller(), request.path_param("name"), update,
                                            client_of(request)));
  return Response::json(role_json(role));
}

Result<Response> remove(AuthService& service, Request& request) {
  SENTINEL_TRY(
      service.delete_role(request.caller(), request.path_param("name"), client_of(request)));
  return Response::no_content();
}

constexpr std::int64_t kMinuteMs = 60 * 1000;
constexpr std::int64_t kHourMs = 60 * kMinuteMs;

// The session lifetimes come from the server config, which the API cannot change.
constexpr std::array<std::string_view, 2> kConfigOnlyFields = {"session_idle_minutes",
                                                               "session_absolute_hours"};

Response settings_response(const AuthSettings& settings) {
  boost::json::array roles;
  for (const auto& role : settings.require_2fa_roles) roles.emplace_back(role);
  return Response::json(
      boost::json::object{{"require_2fa_roles", std::move(roles)},
                          {"session_idle_minutes", settings.session_idle_ms / kMinuteMs},
                          {"session_absolute_hours", settings.session_absolute_ms / kHourMs}});
}

Result<Response> get_settings(AuthService& service, Request&) {
  SENTINEL_ASSIGN(settings, service.settings());
  return settings_response(settings);
}

Result<Response> update_settings(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(
      body, gateway::parse_json_object(
                request.body, {"require_2fa_roles", kConfigOnlyFields[0], kConfigOnlyFields[1]}));
  for (const std::string_view field : kConfigOnlyFields) {
    if (body.contains(field)) {
      return invalid_argument(
          fmt::format("{} is read-only here: set auth.{} in the server configuration", field,
                      field),
          std::string(field));
    }
  }
  SENTINEL_ASSIGN(roles, gateway::optional_string_list(body, "require_2fa_roles"));
  SENTINEL_ASSIGN(current, service.settings());
  if (roles) current.require_2fa_roles = std::move(*roles);
  SENTINEL_ASSIGN(updated, service.update_settings(request.caller(), current, client_of(request)));
  return settings_response(updated);
}

}  // namespace

Status register_role_routes(gateway::Router& router, AuthService& service) {
  SENTINEL_TRY(router.add({"GET", "/api/v1/roles", "roles:read", "List roles and permissions",
                           [&service](Request& r) { return list(service, r); }}));
  SENTINEL_TRY(router.add({"POST",
                           "/api/v1/roles",
                           "roles:write",
                           "Create a custom role",
                           [&service](Request& r) { return create(service, r); },
                           {"name", "description", "permissions"}}));
  SENTINEL_TRY(router.add({"PATCH",
                           "/api/v1/roles/{name}",
                           "roles:write",
                           "Change a custom role",
                           [&service](Request& r) { return update(service, r); },
                           {"description", "permissions"}}));
  SENTINEL_TRY(router.add({"DELETE", "/api/v1/roles/{name}", "roles:write",
                           "Delete a custom role that nobody holds",
                           [&service](Request& r) { return remove(service, r); }}));
  SENTINEL_TRY(router.add({"GET", "/api/v1/settings/auth", "settings:read",
                           "Auth settings: roles that require 2FA, and the session lifetimes "
                           "(read-only, from the server config)",
                           [&service](Request& r) { return get_settings(service, r); }}));
  return router.add({"PATCH",
                     "/api/v1/settings/auth",
                     "settings:write",
                     "Change auth settings (roles that require 2FA)",
                     [&service](Request& r) { return update_settings(service, r); },
                     {"require_2fa_roles"}});
}

}  // namespace sentinel::auth
