// Hostile and broken requests get a 4xx JSON error or a closed connection, never a crash and
// never a partial write.

#include <gtest/gtest.h>

#include <thread>

#include "tests/integration/api_fixture.h"

namespace sentinel::test {
namespace {

using boost::json::object;

class BadInputTest : public ApiTest {
 protected:
  /// Sends `body` as raw bytes to POST /api/v1/users with the admin session.
  client::HttpReply post_users_raw(client::ApiClient& root, const std::string& body) {
    std::string raw =
        "POST /api/v1/users HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/json\r\n"
        "Cookie: " +
        root.cookie_header().reveal() +
        "\r\n"
        "X-CSRF-Token: " +
        root.csrf_token().reveal() +
        "\r\n"
        "Content-Length: " +
        std::to_string(body.size()) +
        "\r\n"
        "Connection: close\r\n\r\n" +
        body;
    auto reply = root.send_raw(raw);
    EXPECT_TRUE(reply) << reply.error().message;
    return reply ? *reply : client::HttpReply{};
  }

  std::size_t user_count(client::ApiClient& root) {
    return body_of(*root.get("/api/v1/users")).at("items").as_array().size();
  }

  void expect_healthy() {
    auto health = anonymous().get("/healthz");
    ASSERT_TRUE(health) << "server stopped answering";
    EXPECT_EQ(health->status, 200);
    EXPECT_TRUE(server_->process().running());
  }
};

TEST_P(BadInputTest, MalformedBodiesGetAClearJsonErrorAndWriteNothing) {
  client::ApiClient root = admin();
  const std::size_t before = user_count(root);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"username\": \"x\", ", "malformed JSON"},
      {"[1,2,3]", "not an object"},
      {"{\"username\": 42, \"password\": \"Long-Enough-Password-1\", \"roles\": [\"viewer\"]}",
       "wrong type"},
      {"{\"username\": \"eve\", \"password\": \"Long-Enough-Password-1\", \"roles\": [\"viewer\"], "
       "\"is_admin\": true}",
       "unknown field"},
      {"{\"username\": \"e\xff\xfe\", \"password\": \"Long-Enough-Password-1\", \"roles\": "
       "[\"viewer\"]}",
       "invalid UTF-8"},
      {"{\"username\": \"eve\", \"password\": \"Long-Enough-Password-1\", \"roles\": "
       "[\"no-such-role\"]}",
       "unknown role"},
      {"", "empty body"},
  };
  for (const auto& [body, what] : cases) {
    const client::HttpReply reply = post_users_raw(root, body);
    EXPECT_EQ(reply.status, 400) << what << ": " << reply.body;
    auto error = reply.api_error();
    ASSERT_TRUE(error) << what << ": " << reply.body;
    EXPECT_FALSE(error->message.empty()) << what;
    EXPECT_EQ(reply.header("content-type").rfind("application/json", 0), 0u) << what;
  }
  EXPECT_NE(post_users_raw(root, cases[3].first).body.find("is_admin"), std::string::npos)
      << "the unknown field is named";
  EXPECT_EQ(user_count(root), before);
  expect_healthy();
}

TEST_P(BadInputTest, OversizedBodyIsRefusedWith413) {
  client::ApiClient root = admin();
  const std::string huge = "{\"username\": \"" + std::string(2 << 20, 'a') + "\"}";
  const client::HttpReply reply = post_users_raw(root, huge);
  EXPECT_EQ(reply.status, 413) << reply.body.substr(0, 200);
  expect_healthy();
}

TEST_P(BadInputTest, OversizedHeadersAreRefused) {
  client::ApiClient api = anonymous();
  const std::string raw =
      "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + std::string(64 * 1024, 'p') +
      "\r\n\r\n";
  auto reply = api.send_raw(raw);
  if (reply) {
    EXPECT_EQ(reply->status / 100, 4) << reply->status;
  } else {
    EXPECT_EQ(reply.error().reason, client::kConnectionClosed) << reply.error().message;
  }
  expect_healthy();
}

TEST_P(BadInputTest, GarbageAndUnknownRoutesGetJsonErrors) {
  client::ApiClient api = anonymous();
  auto garbage = api.send_raw("THIS IS NOT HTTP\r\n\r\n");
  if (garbage) EXPECT_EQ(garbage->status / 100, 4);
  auto missing = api.get("/api/v1/no-such-thing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(error_code(*missing), "not_found");
  auto wrong_method = api.request("PUT", "/healthz");
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
  expect_healthy();
}

TEST_P(BadInputTest, SlowClientsAreCutOff) {
  ASSERT_TRUE(server_->stop());
  start_server({"--set", "gateway.request_timeout_s=2", "--set", "gateway.idle_timeout_s=2"});
  // Headers never finished: the server must close the connection instead of waiting forever.
  // The client waits an hour (longer than the suite may run), so however busy the machine, only
  // the server can end this exchange; a server that waited forever would leave it to the client's
  // limit, whose error says "timeout", not "connection_closed".
  client::ClientOptions patient;
  patient.base_url = server_->url();
  patient.ca_file = server_->ca_file();
  patient.io_timeout = std::chrono::hours(1);
  auto api = client::ApiClient::create(patient);
  ASSERT_TRUE(api) << api.error().message;
  auto reply = api->send_raw("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
  if (reply)
    EXPECT_EQ(reply->status / 100, 4);
  else
    EXPECT_EQ(reply.error().reason, client::kConnectionClosed) << reply.error().message;
  expect_healthy();
}

SENTINEL_BOTH_BACKENDS(BadInputTest);

}  // namespace
}  // namespace sentinel::test
