#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cctype>

#include "sentinel/gateway/router.h"

namespace sentinel::gateway {
namespace {

constexpr std::string_view kDescription =
    "REST API of SentinelSecure. Authenticate with the `sentinel_session` cookie from "
    "POST /api/v1/auth/login (state-changing requests then need the `X-CSRF-Token` header) or "
    "with `Authorization: Bearer <api-token>`. Errors are `{\"error\":{\"code\",\"message\","
    "\"field\"?}}`.\n\nLive events: `GET /api/v1/stream` upgrades to a WebSocket (same "
    "credentials). The server first sends `{\"type\":\"hello\",\"user\":...}`, then one JSON text "
    "message per event, each with a `type` (`audit` needs the `audit:read` permission). A client "
    "that cannot keep up is closed with code 1008 (policy violation).";

struct StandardError {
  const char* status;
  const char* name;
  const char* description;
};

constexpr StandardError kStandardErrors[] = {
    {"400", "BadRequest", "Malformed or invalid input"},
    {"401", "Unauthenticated", "Missing or invalid credentials"},
    {"403", "Forbidden", "Permission denied or CSRF token missing"},
    {"404", "NotFound", "No such resource"},
    {"429", "RateLimited", "Too many requests or account locked"},
};

boost::json::object error_reference(const char* name) {
  return {{"$ref", std::string("#/components/responses/") + name}};
}

std::string operation_id(const Route& route) {
  std::string out;
  for (const char c : route.method) out.push_back(static_cast<char>(std::tolower(c)));
  for (const char c : route.pattern) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out.push_back(c);
    } else if (c == '/' && out.back() != '_') {
      out.push_back('_');
    }
  }
  while (out.back() == '_') out.pop_back();
  return out;
}

boost::json::array path_parameters(std::string_view pattern) {
  boost::json::array parameters;
  std::size_t open = pattern.find('{');
  while (open != std::string_view::npos) {
    const std::size_t close = pattern.find('}', open);
    parameters.push_back({{"name", pattern.substr(open + 1, close - open - 1)},
                          {"in", "path"},
                          {"required", true},
                          {"schema", {{"type", "string"}}}});
    open = pattern.find('{', close);
  }
  return parameters;
}

boost::json::object operation(const Route& route) {
  const bool is_public = route.permission == kPublic;
  boost::json::object op{{"operationId", operation_id(route)},
                         {"summary", route.summary},
                         {"x-permission", route.permission}};
  if (auto parameters = path_parameters(route.pattern); !parameters.empty()) {
    op["parameters"] = std::move(parameters);
  }
  op["security"] = is_public
                       ? boost::json::array{}
                       : boost::json::array{boost::json::object{{"session", boost::json::array{}}},
                                            boost::json::object{{"bearer", boost::json::array{}}}};
  if (!route.body_fields.empty()) {
    boost::json::object properties;
    for (const std::string& field : route.body_fields) properties[field] = boost::json::object{};
    op["requestBody"] = {{"required", true},
                         {"content",
                          {{"application/json",
                            {{"schema",
                              {{"type", "object"},
                               {"properties", properties},
                               {"additionalProperties", false}}}}}}}};
  }
  boost::json::object responses{{"200", {{"description", "Success"}}}};
  for (const StandardError& error : kStandardErrors) {
    const std::string_view status = error.status;
    if (is_public && (status == "401" || status == "403")) continue;
    responses[status] = error_reference(error.name);
  }
  op["responses"] = std::move(responses);
  return op;
}

boost::json::object components() {
  boost::json::object error_schema{
      {"type", "object"},
      {"required", boost::json::array{"error"}},
      {"properties",
       {{"error",
         {{"type", "object"},
          {"required", boost::json::array{"code", "message"}},
          {"properties",
           {{"code", {{"type", "string"}, {"description", "Machine-readable, e.g. csrf_failed"}}},
            {"message", {{"type", "string"}}},
            {"field", {{"type", "string"}, {"description", "The input field at fault"}}}}}}}}}};
  boost::json::object responses;
  for (const StandardError& error : kStandardErrors) {
    responses[error.name] = {
        {"description", error.description},
        {"content",
         {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
  }
  return {{"schemas", {{"Error", std::move(error_schema)}}},
          {"responses", std::move(responses)},
          {"securitySchemes",
           {{"session", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "sentinel_session"}}},
            {"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}};
}

}  // namespace

boost::json::value openapi_document(const Router& router, std::string_view version) {
  boost::json::object paths;
  for (const Route& route : router.routes()) {
    std::string method(route.method.size(), '\0');
    std::transform(route.method.begin(), route.method.end(), method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    boost::json::value& path_item = paths[route.pattern];
    if (!path_item.is_object()) path_item.emplace_object();
    path_item.get_object()[method] = operation(route);
  }
  return boost::json::object{
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "SentinelSecure API"}, {"version", version}, {"description", kDescription}}},
      {"paths", std::move(paths)},
      {"components", components()}};
}

}  // namespace sentinel::gateway
