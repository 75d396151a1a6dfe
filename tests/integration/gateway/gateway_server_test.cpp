// The gateway over real TLS against a real sentinel-server: protocol versions, limits, headers,
// errors, built-in endpoints and the event stream.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "client/api_client.h"
#include "client/stream_client.h"
#include "tests/support/server_process.h"

namespace sentinel {
namespace {

using client::ApiClient;
using client::ClientOptions;
using client::TlsVersion;

class GatewayServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = test::ServerProcess::start();
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static ApiClient client(TlsVersion min = TlsVersion::kTls13,
                          std::optional<TlsVersion> max = std::nullopt) {
    ClientOptions options;
    options.base_url = server_->url();
    options.ca_file = server_->ca_file();
    options.min_tls_version = min;
    options.max_tls_version = max;
    auto api = ApiClient::create(options);
    EXPECT_TRUE(api) << api.error().message;
    return std::move(*api);
  }

  static ApiClient admin() {
    ApiClient api = client();
    auto reply =
        api.post("/api/v1/auth/login", {{"username", "admin"}, {"password", test::kAdminPassword}});
    EXPECT_TRUE(reply && reply->status == 200) << (reply ? reply->body : reply.error().message);
    return api;
  }

  static test::ServerProcess* server_;
};

test::ServerProcess* GatewayServerTest::server_ = nullptr;

TEST_F(GatewayServerTest, Tls13IsServedAndTls12Refused) {
  ApiClient modern = client();
  auto reply = modern.get("/healthz");
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, R"({"status":"ok"})");

  ApiClient old = client(TlsVersion::kTls12, TlsVersion::kTls12);
  auto refused = old.get("/healthz");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
}

TEST_F(GatewayServerTest, EveryResponseCarriesSecurityHeadersAndRequestId) {
  ApiClient api = client();
  auto reply = api.get("/api/v1/nowhere", {{"X-Request-Id", "trace-42"}});
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->status, 404);
  EXPECT_EQ(reply->header("x-request-id"), "trace-42");
  EXPECT_NE(reply->header("strict-transport-security").find("max-age="), std::string::npos);
  EXPECT_NE(reply->header("content-security-policy").find("frame-ancestors 'none'"),
            std::string::npos);
  EXPECT_EQ(reply->header("x-content-type-options"), "nosniff");
  EXPECT_EQ(reply->header("referrer-policy"), "no-referrer");
  EXPECT_EQ(reply->header("cache-control"), "no-store");
  ASSERT_TRUE(reply->api_error());
  EXPECT_EQ(reply->api_error()->code, "not_found");

  auto unsafe = api.get("/healthz", {{"X-Request-Id", "bad id\twith space"}});
  ASSERT_TRUE(unsafe);
  EXPECT_FALSE(unsafe->header("x-request-id").empty());
  EXPECT_EQ(unsafe->header("x-request-id").find(' '), std::string::npos);
}

TEST_F(GatewayServerTest, WrongMethodIs405WithAllow) {
  ApiClient api = client();
  auto reply = api.del("/healthz");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 405);
  EXPECT_EQ(reply->header("allow"), "GET");
  EXPECT_EQ(reply->api_error()->code, "method_not_allowed");
}

TEST_F(GatewayServerTest, ProtectedRouteWithoutCredentialsIs401) {
  ApiClient api = client();
  auto reply = api.get("/api/v1/users");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 401);
  EXPECT_EQ(reply->api_error()->code, "unauthenticated");
}

TEST_F(GatewayServerTest, BadBodiesAre400NotCrashes) {
  ApiClient api = client();
  const std::string invalid_utf8 = "{\"username\":\"a\xff\",\"password\":\"x\"}";
  for (const std::string& body : {std::string("{\"username\":"), std::string("[1,2]"), invalid_utf8,
                                  std::string(R"({"username":"a","password":"b","admin":true})")}) {
    const std::string raw =
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    auto reply = api.send_raw(raw);
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->status, 400) << body;
    ASSERT_TRUE(reply->api_error()) << reply->body;
  }
}

TEST_F(GatewayServerTest, OversizedBodyIs413AndOversizedHeadersRefused) {
  ApiClient api = client();
  const std::string body(2 << 20, 'a');
  auto big =
      api.send_raw("POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body);
  ASSERT_TRUE(big) << big.error().message;
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(big->api_error()->code, "payload_too_large");

  auto headers = api.send_raw("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Junk: " +
                              std::string(64 * 1024, 'h') + "\r\n\r\n");
  if (headers) {
    EXPECT_EQ(headers->status, 431);
  } else {
    EXPECT_EQ(headers.error().reason, client::kConnectionClosed);
  }
}

TEST_F(GatewayServerTest, MetricsCountRequestsByRoutePattern) {
  ApiClient api = client();
  ASSERT_TRUE(api.get("/healthz"));
  auto reply = api.get("/metrics");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_NE(reply->body.find(
                R"(sentinel_http_requests_total{route="/healthz",method="GET",status="200"})"),
            std::string::npos);
  EXPECT_NE(reply->body.find("sentinel_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_EQ(reply->body.find("/api/v1/nowhere"), std::string::npos);
}

TEST_F(GatewayServerTest, OpenApiDocumentListsRoutesWithPermissions) {
  ApiClient api = client();
  auto reply = api.get("/api/v1/openapi.json");
  ASSERT_TRUE(reply);
  auto doc = reply->json();
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->at("openapi").as_string(), "3.1.0");
  const auto& paths = doc->at("paths").as_object();
  EXPECT_EQ(paths.at("/healthz").at("get").at("x-permission").as_string(), "public");
  EXPECT_EQ(paths.at("/api/v1/auth/login").at("post").at("x-permission").as_string(), "public");
  EXPECT_TRUE(paths.contains("/api/v1/users"));
}

TEST_F(GatewayServerTest, SessionWithoutCsrfTokenCannotChangeState) {
  ApiClient api = admin();
  const Secret csrf = api.csrf_token();
  api.set_csrf_token(Secret());
  auto refused = api.post("/api/v1/auth/logout");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(refused->api_error()->code, "csrf_failed");
  api.set_csrf_token(csrf);
  auto me = api.get("/api/v1/auth/me");
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200);
}

// GET /auth/me is answered from memory on the I/O thread once its caller and user are cached;
// a change through the API must still show (or refuse) on the very next request.
TEST_F(GatewayServerTest, MeFromMemoryFollowsEveryChangeAtOnce) {
  ApiClient root = admin();
  auto created = root.post("/api/v1/users", {{"username", "mia"},
                                             {"display_name", "Mia"},
                                             {"password", "Quiet-Harbour-Lantern-4471"},
                                             {"roles", boost::json::array{"viewer"}}});
  ASSERT_TRUE(created && created->status == 201) << (created ? created->body : "no reply");
  const std::string user = "/api/v1/users/" + std::to_string(created->json()->at("id").as_int64());
  ApiClient mia = client();
  auto login = mia.post("/api/v1/auth/login",
                        {{"username", "mia"}, {"password", "Quiet-Harbour-Lantern-4471"}});
  ASSERT_TRUE(login && login->status == 200);
  auto token = mia.post("/api/v1/tokens", {{"name", "mia-script"}});
  ASSERT_TRUE(token && token->status == 201) << (token ? token->body : "no reply");
  ApiClient script = client();
  script.set_bearer_token(Secret(std::string(token->json()->at("token").as_string())));
  const std::string token_path =
      "/api/v1/tokens/" + std::to_string(token->json()->at("id").as_int64());

  auto display_name = [](ApiClient& api) -> std::string {
    auto me = api.get("/api/v1/auth/me");
    if (!me || me->status != 200) return me ? "status " + std::to_string(me->status) : "no reply";
    EXPECT_EQ(me->header("cache-control"), "no-store");
    EXPECT_FALSE(me->header("x-request-id").empty());
    return std::string(me->json()->at("user").at("display_name").as_string());
  };
  for (int i = 0; i < 3; ++i) {  // the first loads, the others come from memory
    EXPECT_EQ(display_name(script), "Mia");
    EXPECT_EQ(display_name(mia), "Mia");
  }
  ASSERT_EQ(root.patch(user, {{"display_name", "Mia M."}})->status, 200);
  EXPECT_EQ(display_name(script), "Mia M.");
  EXPECT_EQ(display_name(mia), "Mia M.");

  ASSERT_LT(root.del(token_path)->status, 300);
  EXPECT_EQ(display_name(script), "status 401");
  EXPECT_EQ(display_name(mia), "Mia M.");
  ASSERT_EQ(root.patch(user, {{"disabled", true}})->status, 200);
  EXPECT_EQ(display_name(mia), "status 401");
}

TEST_F(GatewayServerTest, StreamGreetsAndPushesAuditEvents) {
  ApiClient api = admin();
  auto stream = client::StreamClient::connect(api);
  ASSERT_TRUE(stream) << stream.error().message;
  auto hello = stream->next_message(std::chrono::seconds(5));
  ASSERT_TRUE(hello) << hello.error().message;
  const auto greeting = boost::json::parse(*hello);
  EXPECT_EQ(greeting.at("type").as_string(), "hello");
  EXPECT_EQ(greeting.at("user").as_string(), "admin");

  ApiClient other = client();
  ASSERT_TRUE(other.post("/api/v1/auth/login", {{"username", "admin"}, {"password", "wrong"}}));
  bool saw_audit = false;
  for (int i = 0; i < 10 && !saw_audit; ++i) {
    auto message = stream->next_message(std::chrono::seconds(5));
    ASSERT_TRUE(message) << message.error().message;
    saw_audit = boost::json::parse(*message).at("type").as_string() == "audit";
  }
  EXPECT_TRUE(saw_audit);
}

TEST_F(GatewayServerTest, StreamRefusesAnonymousClients) {
  ApiClient api = client();
  auto stream = client::StreamClient::connect(api);
  ASSERT_FALSE(stream);
  EXPECT_NE(stream.error().message.find("401"), std::string::npos) << stream.error().message;
}

}  // namespace
}  // namespace sentinel
