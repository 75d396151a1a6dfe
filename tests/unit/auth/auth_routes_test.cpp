// The auth routes through the route table, with a real service underneath.

#include <boost/json/parse.hpp>

#include "auth_test_fixture.h"
#include "sentinel/auth/permissions.h"
#include "sentinel/auth/routes.h"

namespace sentinel::auth {
namespace {

class AuthRoutesTest : public AuthServiceTest {
 protected:
  void SetUp() override {
    AuthServiceTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(register_auth_routes(router_, *service_));
  }

  gateway::Response call(std::string method, std::string path, std::string body,
                         std::optional<Principal> caller = std::nullopt) {
    const gateway::RouteMatch match = router_.match(method, path);
    EXPECT_EQ(match.kind, gateway::RouteMatch::Kind::kFound) << method << " " << path;
    if (match.kind != gateway::RouteMatch::Kind::kFound) return {};
    gateway::Request request;
    request.method = method;
    request.path = path;
    request.body = std::move(body);
    request.remote_address = "192.0.2.9";
    request.path_params = match.params;
    request.principal = std::move(caller);
    auto response = match.route->handler(request);
    return response ? *response : gateway::error_response(response.error());
  }

  static std::string header(const gateway::Response& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return {};
  }

  gateway::Router router_;
};

TEST_P(AuthRoutesTest, EveryRouteDeclaresAKnownPermission) {
  ASSERT_GE(router_.routes().size(), 25u);
  for (const auto& route : router_.routes()) {
    const bool special =
        route.permission == gateway::kPublic || route.permission == gateway::kAuthenticated;
    EXPECT_TRUE(special || is_permission(route.permission)) << route.pattern;
    if (route.permission == gateway::kPublic) {
      EXPECT_EQ(route.pattern, "/api/v1/auth/login");
    }
  }
  EXPECT_EQ(router_.match("GET", "/api/v1/users").route->permission, "users:read");
  EXPECT_EQ(router_.match("POST", "/api/v1/users").route->permission, "users:write");
  EXPECT_EQ(router_.match("PATCH", "/api/v1/settings/auth").route->permission, "settings:write");
}

TEST_P(AuthRoutesTest, LoginSetsTheSessionCookieAndReturnsTheCsrfToken) {
  const auto response = call("POST", "/api/v1/auth/login",
                             R"({"username":"admin","password":"Correct-Horse-Staple-42"})");
  ASSERT_EQ(response.status, 200) << response.body;
  const std::string cookie = header(response, "Set-Cookie");
  EXPECT_EQ(cookie.rfind("sentinel_session=", 0), 0u);
  EXPECT_NE(cookie.find("; Path=/; HttpOnly; Secure; SameSite=Strict"), std::string::npos);
  const auto body = boost::json::parse(response.body).as_object();
  const std::string session = cookie.substr(17, cookie.find(';') - 17);
  auto principal = service_->authenticate_session(Secret(session), "");
  ASSERT_TRUE(principal);
  EXPECT_EQ(body.at("csrf_token").as_string(), principal->csrf_token.reveal());
  EXPECT_EQ(body.at("user").at("username").as_string(), "admin");
  EXPECT_TRUE(body.at("user").at("permissions").as_array().size() > 10);
  EXPECT_EQ(body.at("expires_at").as_int64(), kStartMs + 12LL * 3600 * 1000);
}

TEST_P(AuthRoutesTest, LoginErrorsFollowTheContract) {
  auto wrong = call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"nope"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(boost::json::parse(wrong.body).at("error").at("code").as_string(),
            "invalid_credentials");
  auto unknown_field =
      call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"x","remember":true})");
  EXPECT_EQ(unknown_field.status, 400);
  for (int i = 0; i < 5; ++i)
    call("POST", "/api/v1/auth/login", R"({"username":"a","password":"b"})");
  auto locked = call("POST", "/api/v1/auth/login",
                     R"({"username":"admin","password":"Correct-Horse-Staple-42"})");
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(boost::json::parse(locked.body).at("error").at("code").as_string(), "locked_out");
  EXPECT_FALSE(header(locked, "Retry-After").empty());
}

TEST_P(AuthRoutesTest, TokenIsShownOnceAndListedWithoutIt) {
  auto created = call("POST", "/api/v1/tokens", R"({"name":"ci","expires_in_days":7})", admin_);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto token = boost::json::parse(created.body).as_object();
  EXPECT_EQ(std::string(token.at("token").as_string()).rfind("sst_", 0), 0u);
  auto listed = call("GET", "/api/v1/tokens", "", admin_);
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body.find("sst_"), std::string::npos);
  const auto id = std::to_string(token.at("id").as_int64());
  EXPECT_EQ(call("DELETE", "/api/v1/tokens/" + id, "", admin_).status, 204);
}

TEST_P(AuthRoutesTest, UserRoutesValidateStrictly) {
  auto created = call(
      "POST", "/api/v1/users",
      R"({"username":"bob","password":"long-enough-passphrase-7","roles":["viewer"]})", admin_);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = std::to_string(boost::json::parse(created.body).at("id").as_int64());
  auto bad = call("PATCH", "/api/v1/users/" + id, R"({"disabled":"yes"})", admin_);
  EXPECT_EQ(bad.status, 400);
  auto weak = call("POST", "/api/v1/users",
                   R"({"username":"eve","password":"short","roles":["viewer"]})", admin_);
  EXPECT_EQ(weak.status, 400);
  EXPECT_EQ(boost::json::parse(weak.body).at("error").at("field").as_string(), "password");
  EXPECT_EQ(call("GET", "/api/v1/users/999", "", admin_).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/users/abc", "", admin_).status, 404);
  EXPECT_EQ(call("DELETE", "/api/v1/users/" + id, "", admin_).status, 204);
}

TEST_P(AuthRoutesTest, MeReportsTheIdentityAndLogoutClearsTheCookie) {
  auto me = call("GET", "/api/v1/auth/me", "", admin_);
  ASSERT_EQ(me.status, 200);
  const auto body = boost::json::parse(me.body).as_object();
  EXPECT_EQ(body.at("user").at("username").as_string(), "admin");
  EXPECT_EQ(body.at("csrf_token").as_string(), admin_.csrf_token.reveal());
  auto logout = call("POST", "/api/v1/auth/logout", "", admin_);
  EXPECT_EQ(logout.status, 204);
  EXPECT_NE(header(logout, "Set-Cookie").find("Max-Age=0"), std::string::npos);
}

TEST_P(AuthRoutesTest, AuthSettingsShowTheSessionLifetimesButOnlyTheConfigSetsThem) {
  // The fixture's AuthConfig keeps the defaults: 30 minutes idle, 12 hours absolute.
  const boost::json::value expected = boost::json::parse(
      R"({"require_2fa_roles":[],"session_idle_minutes":30,"session_absolute_hours":12})");
  auto shown = call("GET", "/api/v1/settings/auth", "", admin_);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(boost::json::parse(shown.body), expected);

  for (const std::string field : {"session_idle_minutes", "session_absolute_hours"}) {
    auto refused = call("PATCH", "/api/v1/settings/auth",
                        R"({"require_2fa_roles":["admin"],")" + field + R"(":60})", admin_);
    EXPECT_EQ(refused.status, 400) << refused.body;
    const auto error = boost::json::parse(refused.body).at("error");
    EXPECT_EQ(error.at("field").as_string(), field);
    EXPECT_NE(std::string(error.at("message").as_string()).find("server configuration"),
              std::string::npos)
        << refused.body;
  }
  // Nothing of a refused request was applied.
  EXPECT_EQ(boost::json::parse(call("GET", "/api/v1/settings/auth", "", admin_).body), expected);

  auto changed =
      call("PATCH", "/api/v1/settings/auth", R"({"require_2fa_roles":["admin"]})", admin_);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(boost::json::parse(changed.body),
            boost::json::parse(R"({"require_2fa_roles":["admin"],"session_idle_minutes":30,)"
                               R"("session_absolute_hours":12})"));
  EXPECT_EQ(call("PATCH", "/api/v1/settings/auth", R"({"lockout_threshold":3})", admin_).status,
            400);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthRoutesTest, ::testing::ValuesIn(test::kBackends));

}  // namespace
}  // namespace sentinel::auth
