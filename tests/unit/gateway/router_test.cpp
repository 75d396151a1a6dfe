#include "sentinel/gateway/router.h"

#include <gtest/gtest.h>

namespace sentinel::gateway {
namespace {

Route route(std::string method, std::string pattern, std::string permission = "users:read") {
  return {std::move(method), std::move(pattern), std::move(permission), "test",
          [](Request&) -> Result<Response> { return Response::no_content(); }};
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto r : {route("GET", "/api/v1/users"), route("POST", "/api/v1/users"),
                   route("GET", "/api/v1/users/{id}"), route("DELETE", "/api/v1/users/{id}"),
                   route("GET", "/api/v1/users/me"),
                   route("GET", "/api/v1/agents/{id}/packages/{name}"), route("GET", "/")}) {
      ASSERT_TRUE(router_.add(r));
    }
  }
  Router router_;
};

TEST_F(RouterTest, MatchesLiteralRoute) {
  const RouteMatch match = router_.match("POST", "/api/v1/users");
  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(match.route->method, "POST");
  EXPECT_TRUE(match.params.empty());
}

TEST_F(RouterTest, BindsParameters) {
  const RouteMatch match = router_.match("GET", "/api/v1/agents/7/packages/openssl libs");
  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(match.route->pattern, "/api/v1/agents/{id}/packages/{name}");
  EXPECT_EQ(match.params.at("id"), "7");
  EXPECT_EQ(match.params.at("name"), "openssl libs");
}

TEST_F(RouterTest, LiteralSegmentWinsOverParameter) {
  EXPECT_EQ(router_.match("GET", "/api/v1/users/me").route->pattern, "/api/v1/users/me");
  EXPECT_EQ(router_.match("GET", "/api/v1/users/42").route->pattern, "/api/v1/users/{id}");
  // Only the parameter route has DELETE: it takes "me" as an id.
  const RouteMatch match = router_.match("DELETE", "/api/v1/users/me");
  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(match.params.at("id"), "me");
}

TEST_F(RouterTest, UnknownPathIsNotFound) {
  EXPECT_EQ(router_.match("GET", "/api/v1/nothing").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(router_.match("GET", "/api/v1/users/1/2").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(router_.match("GET", "/api/v1").kind, RouteMatch::Kind::kNotFound);
}

TEST_F(RouterTest, WrongMethodListsAllowedMethods) {
  const RouteMatch match = router_.match("PUT", "/api/v1/users/5");
  ASSERT_EQ(match.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(match.route, nullptr);
  EXPECT_EQ(match.allowed_methods, (std::vector<std::string>{"DELETE", "GET"}));
}

TEST_F(RouterTest, OddPathsMatchNothing) {
  for (const char* path : {"", "api/v1/users", "/api/v1/users/", "//api/v1/users", "/api//v1/users",
                           "/api/v1/users/..", "/api/v1/./users", "/api/v1/users/../users",
                           "/api/v1/users/\x01", "/api/v1/users/a\nb"}) {
    EXPECT_EQ(router_.match("GET", path).kind, RouteMatch::Kind::kNotFound) << path;
  }
}

TEST_F(RouterTest, RootPatternMatchesOnlyRoot) {
  EXPECT_EQ(router_.match("GET", "/").route->pattern, "/");
}

TEST(RouterAddTest, RejectsMalformedPatternsAndDuplicates) {
  Router router;
  ASSERT_TRUE(router.add(route("GET", "/a/{id}")));
  for (auto bad : {route("GET", "a"), route("GET", "/a//b"), route("GET", "/a/"),
                   route("GET", "/a/{}"), route("GET", "/a/{id"), route("GET", "/a/x{id}"),
                   route("GET", "/a/{id}/{id}"), route("GET", "/a/{b-c}"), route("get", "/b"),
                   route("GET", "/a/{other}"), route("GET", "/a/..")}) {
    EXPECT_FALSE(router.add(bad)) << bad.method << " " << bad.pattern;
  }
  Route no_handler = route("GET", "/c");
  no_handler.handler = nullptr;
  EXPECT_FALSE(router.add(no_handler));
  EXPECT_TRUE(router.add(route("POST", "/a/{other}")));
  EXPECT_EQ(router.routes().size(), 2u);
}

}  // namespace
}  // namespace sentinel::gateway
