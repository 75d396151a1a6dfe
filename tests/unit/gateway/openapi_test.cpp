#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "sentinel/common/metrics.h"
#include "sentinel/gateway/router.h"
#include "src/gateway/builtin_routes.h"

namespace sentinel::gateway {
namespace {

Handler no_op() {
  return [](Request&) -> Result<Response> { return Response::no_content(); };
}

Router service_routes() {
  Router router;
  EXPECT_TRUE(router.add({"POST",
                          "/api/v1/auth/login",
                          std::string(kPublic),
                          "Log in",
                          no_op(),
                          {"username", "password", "totp"}}));
  EXPECT_TRUE(router.add({"GET", "/api/v1/users/{id}", "users:read", "Get a user", no_op()}));
  EXPECT_TRUE(router.add(
      {"PATCH", "/api/v1/users/{id}", "users:write", "Update a user", no_op(), {"roles"}}));
  EXPECT_TRUE(router.add({"GET", "/api/v1/auth/me", std::string(kAuthenticated), "Me", no_op()}));
  return router;
}

TEST(OpenApiTest, EveryRouteIsPresentWithItsPermission) {
  const Router router = service_routes();
  const boost::json::value doc = openapi_document(router, "1.2.3");
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
  EXPECT_EQ(doc.at("info").at("version").as_string(), "1.2.3");
  EXPECT_NE(std::string(doc.at("info").at("description").as_string()).find("/api/v1/stream"),
            std::string::npos);
  const auto& paths = doc.at("paths").as_object();
  for (const Route& route : router.routes()) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(c));
    const auto& op = paths.at(route.pattern).at(method);
    EXPECT_EQ(op.at("x-permission").as_string(), route.permission) << route.pattern;
    EXPECT_EQ(op.at("summary").as_string(), route.summary);
    EXPECT_TRUE(op.at("responses").as_object().contains("400"));
    EXPECT_TRUE(op.at("responses").as_object().contains("404"));
    EXPECT_TRUE(op.at("responses").as_object().contains("429"));
  }
  EXPECT_EQ(paths.at("/api/v1/users/{id}").as_object().size(), 2u);
}

TEST(OpenApiTest, SecurityAndErrorsDependOnPublicness) {
  const boost::json::value doc = openapi_document(service_routes(), "1");
  const auto& login = doc.at("paths").at("/api/v1/auth/login").at("post");
  EXPECT_TRUE(login.at("security").as_array().empty());
  EXPECT_FALSE(login.at("responses").as_object().contains("401"));
  const auto& user = doc.at("paths").at("/api/v1/users/{id}").at("get");
  EXPECT_EQ(user.at("security").as_array().size(), 2u);
  EXPECT_EQ(user.at("responses").at("403").at("$ref").as_string(),
            "#/components/responses/Forbidden");
  const auto& schemes = doc.at("components").at("securitySchemes");
  EXPECT_EQ(schemes.at("session").at("name").as_string(), "sentinel_session");
  EXPECT_EQ(schemes.at("bearer").at("scheme").as_string(), "bearer");
  EXPECT_TRUE(doc.at("components").at("schemas").as_object().contains("Error"));
}

TEST(OpenApiTest, PathParametersAndRequestBody) {
  const boost::json::value doc = openapi_document(service_routes(), "1");
  const auto& patch = doc.at("paths").at("/api/v1/users/{id}").at("patch");
  const auto& parameter = patch.at("parameters").at(0);
  EXPECT_EQ(parameter.at("name").as_string(), "id");
  EXPECT_EQ(parameter.at("in").as_string(), "path");
  EXPECT_TRUE(parameter.at("required").as_bool());
  const auto& schema = patch.at("requestBody").at("content").at("application/json").at("schema");
  EXPECT_TRUE(schema.at("properties").as_object().contains("roles"));
  EXPECT_FALSE(schema.at("additionalProperties").as_bool());
  const auto& login = doc.at("paths").at("/api/v1/auth/login").at("post");
  EXPECT_EQ(login.at("requestBody")
                .at("content")
                .at("application/json")
                .at("schema")
                .at("properties")
                .as_object()
                .size(),
            3u);
  EXPECT_FALSE(doc.at("paths").at("/api/v1/auth/me").at("get").as_object().contains("requestBody"));
  EXPECT_FALSE(login.as_object().contains("parameters"));
}

TEST(OpenApiTest, OperationIdsAreUnique) {
  const boost::json::value doc = openapi_document(service_routes(), "1");
  std::set<std::string> ids;
  for (const auto& path : doc.at("paths").as_object()) {
    for (const auto& op : path.value().as_object()) {
      EXPECT_TRUE(ids.insert(std::string(op.value().at("operationId").as_string())).second);
    }
  }
  EXPECT_EQ(ids.size(), 4u);
}

// The pool a route runs on is the gateway's business: clients see the same document.
TEST(OpenApiTest, LongRunningRoutesAreDescribedAsAnyOther) {
  const Router plain = service_routes();
  Router marked;
  for (const Route& route : plain.routes()) {
    ASSERT_TRUE(
        marked.add(route.pattern == "/api/v1/users/{id}" ? long_running_route(route) : route));
  }
  EXPECT_EQ(openapi_document(marked, "1"), openapi_document(plain, "1"));
}

TEST(BuiltinRoutesTest, RequestsOnTheLongRunningPoolAreCountedApart) {
  MetricsRegistry metrics;
  record_request(metrics, "/api/v1/firewall/apply", "POST", 200, 12.5, true);
  record_request(metrics, "/api/v1/firewall/apply", "POST", 400, 0.001, true);
  record_request(metrics, "/api/v1/auth/login", "POST", 200, 0.07, false);
  const std::string exposition = metrics.render();
  EXPECT_NE(
      exposition.find(
          R"(sentinel_http_long_running_requests_total{route="/api/v1/firewall/apply",method="POST"} 2)"),
      std::string::npos)
      << exposition;
  EXPECT_EQ(
      exposition.find(R"(sentinel_http_long_running_requests_total{route="/api/v1/auth/login")"),
      std::string::npos)
      << exposition;
  // Every request is also in the usual series.
  EXPECT_NE(
      exposition.find(
          R"(sentinel_http_requests_total{route="/api/v1/firewall/apply",method="POST",status="400"} 1)"),
      std::string::npos);
  EXPECT_NE(
      exposition.find(
          R"(sentinel_http_requests_total{route="/api/v1/auth/login",method="POST",status="200"} 1)"),
      std::string::npos);
}

TEST(BuiltinRoutesTest, TableServesHealthReadinessMetricsAndItsOwnDocument) {
  MetricsRegistry metrics;
  bool ready = false;
  auto table = build_route_table(service_routes(), metrics, [&ready] { return ready; });
  ASSERT_TRUE(table) << table.error().message;
  auto call = [&](std::string_view path) {
    Request request;
    return *table->match("GET", path).route->handler(request);
  };
  EXPECT_EQ(call("/healthz").body, R"({"status":"ok"})");
  EXPECT_EQ(call("/readyz").status, 503);
  ready = true;
  EXPECT_EQ(call("/readyz").status, 200);
  record_request(metrics, "/api/v1/users/{id}", "GET", 200, 0.002, false);
  const Response exposition = call("/metrics");
  EXPECT_NE(exposition.content_type.find("text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(
      exposition.body.find(
          R"(sentinel_http_requests_total{route="/api/v1/users/{id}",method="GET",status="200"} 1)"),
      std::string::npos);
  EXPECT_NE(exposition.body.find("sentinel_http_request_duration_seconds_count"),
            std::string::npos);
  const auto doc = boost::json::parse(call("/api/v1/openapi.json").body);
  const auto& paths = doc.at("paths").as_object();
  for (const char* path : {"/healthz", "/readyz", "/metrics", "/api/v1/openapi.json",
                           "/api/v1/auth/login", "/api/v1/users/{id}"}) {
    EXPECT_TRUE(paths.contains(path)) << path;
  }
  EXPECT_EQ(paths.at("/metrics").at("get").at("x-permission").as_string(), "public");
}

TEST(BuiltinRoutesTest, ServiceRouteCollidingWithBuiltinIsRefused) {
  MetricsRegistry metrics;
  Router router;
  ASSERT_TRUE(router.add({"GET", "/healthz", std::string(kPublic), "mine", no_op()}));
  EXPECT_FALSE(build_route_table(router, metrics, nullptr));
}

}  // namespace
}  // namespace sentinel::gateway
