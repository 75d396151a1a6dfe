#include "src/gateway/dispatcher.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <stdexcept>

#include "sentinel/gateway/router.h"
#include "tests/support/temp_dir.h"

namespace sentinel::gateway {
namespace {

// Knows one session ("sess-1", user ann, CSRF "csrf-1") and one token ("tok-1", user bot).
class FakeAuthenticator final : public auth::Authenticator {
 public:
  Result<auth::Principal> authenticate_session(const Secret& session_id,
                                               std::string_view) override {
    if (session_id.reveal() != "sess-1") return unauthenticated("unknown session");
    auth::Principal principal;
    principal.username = "ann";
    principal.permissions = {"users:read", "users:write"};
    principal.kind = auth::CredentialKind::kSession;
    principal.csrf_token = Secret("csrf-1");
    return principal;
  }
  Result<auth::Principal> authenticate_token(const Secret& token, std::string_view) override {
    if (token.reveal() != "tok-1") return unauthenticated("unknown token");
    auth::Principal principal;
    principal.username = "bot";
    principal.permissions = {"users:read"};
    principal.kind = auth::CredentialKind::kApiToken;
    return principal;
  }
  // Remembers both credentials once `remembers` is set, as a warm cache would.
  std::optional<auth::Principal> cached_session(const Secret& session_id) override {
    return remembered(authenticate_session(session_id, {}));
  }
  std::optional<auth::Principal> cached_token(const Secret& token) override {
    return remembered(authenticate_token(token, {}));
  }

  bool remembers = false;

 private:
  std::optional<auth::Principal> remembered(Result<auth::Principal> principal) const {
    if (!remembers || !principal) return std::nullopt;
    return std::move(*principal);
  }
};

Handler echo_user() {
  return [](Request& request) -> Result<Response> {
    return Response::json({{"user", request.caller().username}, {"id", request.path_param("id")}});
  };
}

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() : dispatcher_(routes(), authenticator_, {}) {}

  static Router routes() {
    Router router;
    EXPECT_TRUE(router.add({"GET", "/api/v1/users/{id}", "users:read", "get", echo_user()}));
    EXPECT_TRUE(router.add({"DELETE", "/api/v1/users/{id}", "users:write", "delete", echo_user()}));
    EXPECT_TRUE(router.add({"GET", "/api/v1/me", std::string(kAuthenticated), "me", echo_user()}));
    EXPECT_TRUE(router.add({"POST", "/api/v1/open", std::string(kPublic), "open",
                            [](Request& request) -> Result<Response> {
                              EXPECT_FALSE(request.principal.has_value());
                              return Response::no_content();
                            }}));
    EXPECT_TRUE(router.add(
        {"GET", "/api/v1/throws", std::string(kPublic), "boom", [](Request&) -> Result<Response> {
           throw std::runtime_error("db password=hunter2 leaked");
         }}));
    EXPECT_TRUE(router.add({"GET", "/api/v1/internal", std::string(kPublic), "fails",
                            [](Request&) -> Result<Response> {
                              return internal_error("sqlite: disk I/O error at /var/x");
                            }}));
    EXPECT_TRUE(
        router.add({"GET", "/api/v1/conflict", std::string(kPublic), "conflict",
                    [](Request&) -> Result<Response> { return conflict("name taken", "name"); }}));
    return router;
  }

  Dispatched send(std::string method, std::string path,
                  std::map<std::string, std::string, std::less<>> headers = {}) {
    Request request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.headers = std::move(headers);
    return dispatcher_.dispatch(request);
  }

  static std::string code(const Response& response) {
    return std::string(boost::json::parse(response.body).at("error").at("code").as_string());
  }

  FakeAuthenticator authenticator_;
  Dispatcher dispatcher_;
};

// A route with a quick path that answers from "memory" unless the id is "cold", and counts the
// blocking handler's calls.
class QuickDispatchTest : public ::testing::Test {
 protected:
  QuickDispatchTest() : dispatcher_(routes(), authenticator_, {}) {}

  Router routes() {
    Router router;
    for (const auto& [method, permission] :
         {std::pair<std::string, std::string>{"GET", "users:read"}, {"DELETE", "users:write"}}) {
      EXPECT_TRUE(router.add({method,
                              "/api/v1/items/{id}",
                              permission,
                              "item",
                              [this](Request& request) -> Result<Response> {
                                ++slow_calls_;
                                return echo_user()(request);
                              },
                              {},
                              [](Request& request) -> std::optional<Result<Response>> {
                                if (request.path_param("id") == "cold") return std::nullopt;
                                if (request.path_param("id") == "boom") {
                                  throw std::runtime_error("secret detail");
                                }
                                return echo_user()(request);
                              }}));
    }
    EXPECT_TRUE(router.add({"GET", "/api/v1/plain", "users:read", "plain", echo_user()}));
    return router;
  }

  Request request(std::string method, std::string path,
                  std::map<std::string, std::string, std::less<>> headers) {
    Request request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.headers = std::move(headers);
    return request;
  }

  std::optional<Dispatched> quick(std::string method, std::string path,
                                  std::map<std::string, std::string, std::less<>> headers = {}) {
    Request quick_request = request(method, path, headers);
    return dispatcher_.dispatch_quick(quick_request);
  }

  Dispatched slow(std::string method, std::string path,
                  std::map<std::string, std::string, std::less<>> headers = {}) {
    Request slow_request = request(method, path, headers);
    return dispatcher_.dispatch(slow_request);
  }

  FakeAuthenticator authenticator_;
  Dispatcher dispatcher_;
  int slow_calls_ = 0;
};

TEST_F(QuickDispatchTest, AnswersFromMemoryOnlyWhenTheCallerIsCached) {
  const std::map<std::string, std::string, std::less<>> token = {{"authorization", "Bearer tok-1"}};
  EXPECT_FALSE(quick("GET", "/api/v1/items/7", token));  // the caller is not in memory
  authenticator_.remembers = true;
  const auto answered = quick("GET", "/api/v1/items/7", token);
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->response.status, 200);
  EXPECT_EQ(answered->response.body, R"({"user":"bot","id":"7"})");
  EXPECT_EQ(answered->route, "/api/v1/items/{id}");
  ASSERT_TRUE(quick("HEAD", "/api/v1/items/7", token));
  EXPECT_EQ(slow_calls_, 0);
  // The slow path gives the same answer.
  const Dispatched blocking = slow("GET", "/api/v1/items/7", token);
  EXPECT_EQ(blocking.response.body, answered->response.body);
  EXPECT_EQ(slow_calls_, 1);
}

TEST_F(QuickDispatchTest, LeavesToTheWorkersWhatNeedsThem) {
  authenticator_.remembers = true;
  const std::map<std::string, std::string, std::less<>> token = {{"authorization", "Bearer tok-1"}};
  EXPECT_FALSE(quick("GET", "/api/v1/items/cold", token));  // the handler needs the database
  EXPECT_FALSE(quick("GET", "/api/v1/plain", token));       // no quick handler
  EXPECT_FALSE(quick("GET", "/api/v1/items/7"));            // no credentials: 401 is the workers'
  EXPECT_FALSE(quick("GET", "/api/v1/items/7", {{"authorization", "Bearer unknown"}}));
  EXPECT_FALSE(quick("GET", "/api/v1/nowhere", token));
  EXPECT_FALSE(quick("PUT", "/api/v1/items/7", token));
  // An unknown session with a valid token: only the blocking path may fall back to the token.
  EXPECT_FALSE(quick("GET", "/api/v1/items/7",
                     {{"cookie", "sentinel_session=old"}, {"authorization", "Bearer tok-1"}}));
  EXPECT_EQ(slow_calls_, 0);
}

TEST_F(QuickDispatchTest, RefusesExactlyAsTheSlowPathDoes) {
  authenticator_.remembers = true;
  const std::map<std::string, std::string, std::less<>> token = {{"authorization", "Bearer tok-1"}};
  const auto denied = quick("DELETE", "/api/v1/items/7", token);  // tok-1 lacks users:write
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->response.status, 403);
  EXPECT_EQ(denied->response.body, slow("DELETE", "/api/v1/items/7", token).response.body);

  const std::map<std::string, std::string, std::less<>> session = {
      {"cookie", "sentinel_session=sess-1"}};
  const auto no_csrf = quick("DELETE", "/api/v1/items/7", session);
  ASSERT_TRUE(no_csrf);
  EXPECT_EQ(no_csrf->response.status, 403);
  EXPECT_NE(no_csrf->response.body.find("csrf_failed"), std::string::npos);
  EXPECT_EQ(no_csrf->response.body, slow("DELETE", "/api/v1/items/7", session).response.body);
  auto with_csrf = session;
  with_csrf.emplace("x-csrf-token", "csrf-1");
  const auto allowed = quick("DELETE", "/api/v1/items/7", with_csrf);
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->response.status, 200);
  EXPECT_EQ(allowed->response.body, R"({"user":"ann","id":"7"})");
  EXPECT_EQ(slow_calls_, 0);  // both paths refuse before any handler runs
}

TEST_F(QuickDispatchTest, AThrowingQuickHandlerIsA500WithoutDetail) {
  authenticator_.remembers = true;
  const auto failed = quick("GET", "/api/v1/items/boom", {{"authorization", "Bearer tok-1"}});
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->response.status, 500);
  EXPECT_EQ(failed->response.body.find("secret"), std::string::npos);
}

// The I/O thread asks which pool a request goes to before handing it over.
TEST(DispatcherLaneTest, LongRunningFollowsTheMatchedRoute) {
  Router router;
  ASSERT_TRUE(router.add(
      long_running_route({"GET", "/api/v1/feeds/{name}", "users:read", "fetch", echo_user()})));
  ASSERT_TRUE(router.add({"POST", "/api/v1/feeds/{name}", "users:write", "change", echo_user()}));
  ASSERT_TRUE(router.add({"GET", "/api/v1/feeds/all", "users:read", "list", echo_user()}));
  FakeAuthenticator authenticator;
  const Dispatcher dispatcher(std::move(router), authenticator, {});
  const auto long_running = [&](std::string method, std::string path) {
    Request request;
    request.method = std::move(method);
    request.path = std::move(path);
    return dispatcher.long_running(request);
  };
  EXPECT_TRUE(long_running("GET", "/api/v1/feeds/spamhaus"));
  const Route* matched = long_running("GET", "/api/v1/feeds/spamhaus");
  ASSERT_NE(matched, nullptr);
  EXPECT_EQ(matched->pattern, "/api/v1/feeds/{name}");             // the label of its metrics
  EXPECT_TRUE(long_running("HEAD", "/api/v1/feeds/spamhaus"));     // served as GET
  EXPECT_FALSE(long_running("POST", "/api/v1/feeds/spamhaus"));    // the same path, another route
  EXPECT_FALSE(long_running("GET", "/api/v1/feeds/all"));          // the literal route wins
  EXPECT_FALSE(long_running("DELETE", "/api/v1/feeds/spamhaus"));  // 405
  EXPECT_FALSE(long_running("GET", "/api/v1/nowhere"));
  EXPECT_FALSE(long_running("GET", "/api/v1/feeds/../feeds/x"));
}

TEST_F(DispatcherTest, NoCredentialsIs401) {
  const Dispatched result = send("GET", "/api/v1/users/1");
  EXPECT_EQ(result.response.status, 401);
  EXPECT_EQ(code(result.response), "unauthenticated");
  EXPECT_EQ(result.route, "/api/v1/users/{id}");
  EXPECT_EQ(send("GET", "/api/v1/me", {{"cookie", "sentinel_session=wrong"}}).response.status, 401);
  EXPECT_EQ(send("GET", "/api/v1/me", {{"authorization", "Basic dG9rLTE="}}).response.status, 401);
}

TEST_F(DispatcherTest, SessionCookieAuthenticates) {
  const Dispatched result = send("GET", "/api/v1/users/7", {{"cookie", "sentinel_session=sess-1"}});
  ASSERT_EQ(result.response.status, 200) << result.response.body;
  EXPECT_EQ(result.response.body, R"({"user":"ann","id":"7"})");
}

TEST_F(DispatcherTest, BearerTokenAuthenticatesAndIsCaseInsensitive) {
  EXPECT_EQ(send("GET", "/api/v1/me", {{"authorization", "Bearer tok-1"}}).response.status, 200);
  EXPECT_EQ(send("GET", "/api/v1/me", {{"authorization", "bearer tok-1"}}).response.status, 200);
  // A stale cookie does not hide a valid token.
  EXPECT_EQ(send("GET", "/api/v1/me",
                 {{"cookie", "sentinel_session=old"}, {"authorization", "Bearer tok-1"}})
                .response.status,
            200);
}

TEST_F(DispatcherTest, MissingPermissionIs403) {
  const Dispatched result = send("DELETE", "/api/v1/users/7", {{"authorization", "Bearer tok-1"}});
  EXPECT_EQ(result.response.status, 403);
  EXPECT_EQ(code(result.response), "permission_denied");
}

TEST_F(DispatcherTest, SessionNeedsCsrfTokenToChangeState) {
  const auto missing = send("DELETE", "/api/v1/users/7", {{"cookie", "sentinel_session=sess-1"}});
  EXPECT_EQ(missing.response.status, 403);
  EXPECT_EQ(code(missing.response), "csrf_failed");
  const auto wrong = send("DELETE", "/api/v1/users/7",
                          {{"cookie", "sentinel_session=sess-1"}, {"x-csrf-token", "csrf-2"}});
  EXPECT_EQ(code(wrong.response), "csrf_failed");
  const auto right = send("DELETE", "/api/v1/users/7",
                          {{"cookie", "sentinel_session=sess-1"}, {"x-csrf-token", "csrf-1"}});
  EXPECT_EQ(right.response.status, 200);
  // Tokens are not sent by browsers on their own: no CSRF token needed.
  EXPECT_EQ(send("DELETE", "/api/v1/users/7", {{"authorization", "Bearer tok-1"}}).response.status,
            403);  // permission, not CSRF
}

TEST_F(DispatcherTest, PublicRoutesSkipAuthentication) {
  EXPECT_EQ(send("POST", "/api/v1/open").response.status, 204);
}

TEST_F(DispatcherTest, UnknownPathAndWrongMethod) {
  const Dispatched missing = send("GET", "/api/v1/none");
  EXPECT_EQ(missing.response.status, 404);
  EXPECT_EQ(missing.route, "unmatched");
  const Dispatched wrong = send("PUT", "/api/v1/users/1");
  EXPECT_EQ(wrong.response.status, 405);
  EXPECT_EQ(code(wrong.response), "method_not_allowed");
  ASSERT_EQ(wrong.response.headers.size(), 1u);
  EXPECT_EQ(wrong.response.headers[0],
            (std::pair<std::string, std::string>{"Allow", "DELETE, GET"}));
}

TEST_F(DispatcherTest, HeadIsServedAsGet) {
  EXPECT_EQ(send("HEAD", "/api/v1/me", {{"authorization", "Bearer tok-1"}}).response.status, 200);
}

TEST_F(DispatcherTest, FailuresHideInternalDetail) {
  const Dispatched thrown = send("GET", "/api/v1/throws");
  EXPECT_EQ(thrown.response.status, 500);
  EXPECT_EQ(thrown.response.body.find("hunter2"), std::string::npos);
  EXPECT_EQ(code(thrown.response), "internal");
  const Dispatched failed = send("GET", "/api/v1/internal");
  EXPECT_EQ(failed.response.status, 500);
  EXPECT_EQ(failed.response.body.find("sqlite"), std::string::npos);
  const Dispatched conflict = send("GET", "/api/v1/conflict");
  EXPECT_EQ(conflict.response.status, 409);
  EXPECT_NE(conflict.response.body.find("name taken"), std::string::npos);
}

std::string header(const Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return {};
}

TEST_F(DispatcherTest, PortalAssetsAreGzippedForGetAndHeadButApiResponsesNever) {
  const test::TempDir web;
  std::filesystem::create_directories(web.path() / "assets");
  std::ofstream(web.path() / "assets" / "app.js") << "console.log(1)";
  std::ofstream(web.path() / "assets" / "app.js.gz") << "GZIP(console.log(1))";
  const Dispatcher dispatcher(routes(), authenticator_, web.path());
  for (const char* method : {"GET", "HEAD"}) {
    Request asset;
    asset.method = method;
    asset.path = "/assets/app.js";
    asset.headers = {{"accept-encoding", "gzip, br"}};
    const Dispatched served = dispatcher.dispatch(asset);
    EXPECT_EQ(served.route, "static") << method;
    EXPECT_EQ(served.response.body, "GZIP(console.log(1))") << method;
    EXPECT_EQ(header(served.response, "Content-Encoding"), "gzip") << method;
    EXPECT_EQ(served.response.content_type, "text/javascript; charset=utf-8") << method;
  }
  // API bodies carry CSRF tokens; compressing them would open BREACH.
  Request api;
  api.method = "GET";
  api.path = "/api/v1/me";
  api.headers = {{"authorization", "Bearer tok-1"}, {"accept-encoding", "gzip"}};
  const Dispatched me = dispatcher.dispatch(api);
  EXPECT_EQ(me.response.status, 200);
  EXPECT_EQ(header(me.response, "Content-Encoding"), "");
}

}  // namespace
}  // namespace sentinel::gateway
