// Every route in the OpenAPI document, called by every built-in role and by nobody: the answer
// must follow the route's declared permission.

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>

#include "sentinel/auth/permissions.h"
#include "tests/integration/api_fixture.h"

namespace sentinel::test {
namespace {

struct RouteCase {
  std::string method;
  std::string path;        // with placeholders filled in
  std::string permission;  // x-permission
};

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::vector<RouteCase> routes_of(const boost::json::value& openapi) {
  std::vector<RouteCase> out;
  for (const auto& [path, operations] : openapi.at("paths").as_object()) {
    // Placeholders get values that do not exist, so that handlers answer without side effects.
    const std::string filled =
        std::regex_replace(std::string(path), std::regex(R"(\{[^}]+\})"), "999999");
    for (const auto& [method, operation] : operations.as_object()) {
      const auto* permission = operation.as_object().if_contains("x-permission");
      if (permission == nullptr) continue;  // parameters and other non-operation keys
      out.push_back({upper(std::string(method)), filled, std::string(permission->as_string())});
    }
  }
  return out;
}

std::set<std::string> permissions_of(const std::string& role) {
  for (const auto& builtin : auth::builtin_roles()) {
    if (builtin.name == role) return {builtin.permissions.begin(), builtin.permissions.end()};
  }
  ADD_FAILURE() << "no built-in role " << role;
  return {};
}

class RouteMatrixTest : public ApiTest {};

TEST_P(RouteMatrixTest, EveryRouteAnswersEveryRoleAsItsPermissionSays) {
  client::ApiClient root = admin();
  auto document = root.get("/api/v1/openapi.json");
  ASSERT_TRUE(document);
  ASSERT_EQ(document->status, 200);
  const std::vector<RouteCase> routes = routes_of(body_of(*document));
  ASSERT_GT(routes.size(), 20u) << "the route table looks incomplete";
  // Routes the portal's pages read and change: they must be in the matrix.
  for (const auto& [wanted_method, wanted_path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/v1/events/summary"},
           {"GET", "/api/v1/settings/certificates"},
           {"GET", "/api/v1/settings/auth"},
           {"GET", "/api/v1/alerts"},
           {"GET", "/api/v1/alerts/999999"},
           {"PATCH", "/api/v1/alerts/999999"},
           {"POST", "/api/v1/alerts/999999/comments"},
           {"GET", "/api/v1/scans"},
           {"POST", "/api/v1/scans"},
           {"POST", "/api/v1/scans/import"},
           {"GET", "/api/v1/scans/999999"},
           {"DELETE", "/api/v1/scans/999999"},
           {"GET", "/api/v1/scans/999999/results"},
           {"GET", "/api/v1/scans/999999/diff"},
           {"GET", "/api/v1/scan-scopes"}}) {
    EXPECT_TRUE(
        std::any_of(routes.begin(), routes.end(),
                    [&, method = wanted_method, path = wanted_path](const RouteCase& route) {
                      return route.method == method && route.path == path;
                    }))
        << wanted_method << " " << wanted_path << " is not in the OpenAPI document";
  }

  const std::string password = "Matrix-Role-Password-5519";
  create_user(root, "matrix-analyst", password, "analyst");
  create_user(root, "matrix-viewer", password, "viewer");
  std::map<std::string, std::string> users = {
      {"admin", "admin"}, {"analyst", "matrix-analyst"}, {"viewer", "matrix-viewer"}};

  int checked = 0;
  for (const auto& [role, username] : users) {
    const std::set<std::string> granted = permissions_of(role);
    for (const RouteCase& route : routes) {
      if (route.path == "/api/v1/auth/logout") continue;  // would end the session; checked below
      // A fresh login per request: some calls (password change) may end sessions.
      client::ApiClient api = anonymous();
      ASSERT_EQ(login(api, username, username == "admin" ? kAdminPassword : password).status, 200);
      std::optional<boost::json::value> body;
      if (route.method != "GET" && route.method != "DELETE") body = boost::json::object{};
      auto reply = api.request(route.method, route.path, body);
      ASSERT_TRUE(reply) << route.method << " " << route.path << ": " << reply.error().message;
      const std::string where = role + " " + route.method + " " + route.path + " (" +
                                route.permission + ") -> " + std::to_string(reply->status) + " " +
                                reply->body;
      const bool allowed = route.permission == "public" || route.permission == "authenticated" ||
                           granted.count(route.permission) != 0;
      if (allowed) {
        EXPECT_NE(reply->status, 401) << where;
        EXPECT_NE(reply->status, 403) << where;
        EXPECT_LT(reply->status, 500) << where;
      } else {
        EXPECT_EQ(reply->status, 403) << where;
        EXPECT_EQ(error_code(*reply), "permission_denied") << where;
      }
      ++checked;
    }
  }

  // Nobody: every non-public route wants credentials.
  client::ApiClient nobody = anonymous();
  for (const RouteCase& route : routes) {
    if (route.permission == "public") continue;
    std::optional<boost::json::value> body;
    if (route.method != "GET" && route.method != "DELETE") body = boost::json::object{};
    auto reply = nobody.request(route.method, route.path, body);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 401) << route.method << " " << route.path << " " << reply->body;
    ++checked;
  }
  EXPECT_GT(checked, 60);
}

SENTINEL_BOTH_BACKENDS(RouteMatrixTest);

}  // namespace
}  // namespace sentinel::test
