// The hand-written response head against Beast's serializer, which the gateway used before: every
// answer must leave byte for byte as it did.

#include "src/gateway/response_head.h"

#include <gtest/gtest.h>

#include <boost/beast/http.hpp>
#include <sstream>
#include <stdexcept>

#include "src/gateway/security_headers.h"

namespace sentinel::gateway {
namespace {

namespace http = boost::beast::http;

struct Wire {
  Response response;
  std::string path = "/api/v1/auth/me";
  bool head = false;
  bool keep_alive = true;
  unsigned version = 11;
};

std::string reason_of(int status) {
  const auto reason = http::obsolete_reason(static_cast<http::status>(status));
  return std::string(reason.data(), reason.size());
}

// The message as the gateway built it with Beast.
std::string with_beast(const Wire& wire) {
  Response response = wire.response;
  http::response<http::string_body> message{static_cast<http::status>(response.status),
                                            wire.version};
  if (!response.content_type.empty()) message.set(http::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) message.insert(name, value);
  for (const auto& [name, value] : security_headers(response, wire.path)) {
    message.insert(std::string(name), value);
  }
  message.set("X-Request-Id", "req-1");
  message.keep_alive(wire.keep_alive);
  if (wire.head) {
    message.content_length(response.body.size());
  } else {
    message.body() = std::move(response.body);
    message.prepare_payload();
  }
  std::ostringstream out;
  out << message;
  return out.str();
}

std::string by_hand(const Wire& wire) {
  const std::string reason = reason_of(wire.response.status);
  const auto security = security_headers(wire.response, wire.path);
  auto head = serialize_head(wire.response, security,
                             {reason, "req-1", wire.version, wire.keep_alive, wire.head});
  EXPECT_TRUE(head) << head.error().message;
  if (!head) return {};
  return *head + (wire.head ? std::string() : wire.response.body);
}

Response json(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

TEST(ResponseHeadTest, MatchesBeastForEveryKindOfAnswer) {
  std::vector<Wire> cases;
  Response me = json(200, R"({"user":{"id":1}})");
  me.headers.emplace_back("Cache-Control", "no-store");  // as /auth/me: twice with ours
  cases.push_back({me});
  cases.push_back({me, "/api/v1/auth/me", true});              // HEAD
  cases.push_back({me, "/api/v1/auth/me", false, false});      // Connection: close
  cases.push_back({me, "/api/v1/auth/me", false, true, 10});   // HTTP/1.0 keep-alive
  cases.push_back({me, "/api/v1/auth/me", false, false, 10});  // HTTP/1.0 close
  Response logout = Response::no_content();
  logout.headers.emplace_back("Set-Cookie", "sentinel_session=; Path=/; Max-Age=0");
  cases.push_back({logout, "/api/v1/auth/logout"});
  cases.push_back({logout, "/api/v1/auth/logout", true});
  Response not_allowed = json(405, R"({"error":{}})");
  not_allowed.headers.emplace_back("Allow", "DELETE, GET");
  cases.push_back({not_allowed});
  Response throttled = json(429, R"({"error":{}})");
  throttled.headers.emplace_back("Retry-After", "30");
  throttled.headers.emplace_back("cache-control", " no-store\t");  // odd case and spaces
  throttled.headers.emplace_back("Set-Cookie", "a=1");
  throttled.headers.emplace_back("Set-Cookie", "b=2");
  cases.push_back({throttled});
  Response asset = Response::text(std::string(20000, 'x'), "text/javascript; charset=utf-8");
  asset.headers.emplace_back("Content-Encoding", "gzip");
  asset.headers.emplace_back("Vary", "Accept-Encoding");
  cases.push_back({asset, "/assets/app-1234.js"});
  cases.push_back({asset, "/assets/app-1234.js", true});
  cases.push_back({json(404, "{}"), "/alerts"});
  cases.push_back({json(431, "{}"), "/", false, false});
  cases.push_back({json(500, "{}")});
  cases.push_back({json(503, R"({"status":"unavailable"})"), "/readyz"});
  cases.push_back({json(599, "{}")});  // no reason phrase known
  Response untyped = json(200, "");
  untyped.content_type.clear();
  cases.push_back({untyped, "/healthz"});
  for (const Wire& wire : cases) {
    EXPECT_EQ(by_hand(wire), with_beast(wire))
        << wire.response.status << " " << wire.path << " head=" << wire.head
        << " keep_alive=" << wire.keep_alive << " version=" << wire.version;
  }
}

TEST(ResponseHeadTest, TheGatewayOwnsFramingAndRequestIdHeaders) {
  Response response = json(200, "{}");
  response.headers.emplace_back("Content-Length", "999");
  response.headers.emplace_back("x-request-id", "forged");
  response.headers.emplace_back("Connection", "upgrade");
  response.headers.emplace_back("Transfer-Encoding", "chunked");
  auto head = serialize_head(response, {}, {"OK", "req-1", 11, true, false});
  ASSERT_TRUE(head);
  EXPECT_EQ(*head,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: req-1\r\n"
            "Content-Length: 2\r\n\r\n");
}

TEST(ResponseHeadTest, ABodyOnABodilessStatusIsRefusedAsBeastDid) {
  Response response = Response::no_content();
  response.body = "oops";
  EXPECT_FALSE(serialize_head(response, {}, {"No Content", "req-1", 11, true, false}));
  EXPECT_THROW(with_beast({response}), std::invalid_argument);
  EXPECT_TRUE(serialize_head(response, {}, {"No Content", "req-1", 11, true, true}));  // HEAD
}

TEST(ResponseHeadTest, AHeaderThatWouldSplitIntoForgedFieldsIsRefused) {
  for (const std::string bad : {std::string("a\r\nSet-Cookie: x=1"), std::string("a\nb"),
                                std::string("a\0b", 3)}) {
    Response in_value = json(200, "{}");
    in_value.headers.emplace_back("Location", bad);
    EXPECT_FALSE(serialize_head(in_value, {}, {"OK", "req-1", 11, true, false}));
    Response in_name = json(200, "{}");
    in_name.headers.emplace_back(bad, "1");
    EXPECT_FALSE(serialize_head(in_name, {}, {"OK", "req-1", 11, true, false}));
    Response in_type = json(200, "{}");
    in_type.content_type = bad;
    EXPECT_FALSE(serialize_head(in_type, {}, {"OK", "req-1", 11, true, false}));
  }
}

}  // namespace
}  // namespace sentinel::gateway
