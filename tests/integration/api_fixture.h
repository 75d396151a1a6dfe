#pragma once
// A real server per test, on the backend the test is instantiated with, and API clients for it.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "client/api_client.h"
#include "tests/support/server_process.h"

namespace sentinel::test {

/// Parameterized by backend: "sqlite" or "postgresql".
class ApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { start_server({}); }
  void TearDown() override {
    if (HasFailure() && server_) std::cerr << "---- server log ----\n" << server_->log();
  }

  void start_server(std::vector<std::string> extra_args) {
    ServerOptions options;
    options.backend = GetParam();
    options.extra_args = std::move(extra_args);
    auto server = ServerProcess::start(options);
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
  }

  /// A client that trusts the server's certificate and holds no credentials.
  client::ApiClient anonymous() {
    client::ClientOptions options;
    options.base_url = server_->url();
    options.ca_file = server_->ca_file();
    options.io_timeout = std::chrono::seconds(20);
    auto api = client::ApiClient::create(options);
    EXPECT_TRUE(api) << api.error().message;
    return std::move(*api);
  }

  /// Logs in with a password (and optional TOTP code); the client keeps cookie and CSRF token.
  client::HttpReply login(client::ApiClient& api, const std::string& username,
                          const std::string& password, const std::string& totp = {}) {
    boost::json::object body = {{"username", username}, {"password", password}};
    if (!totp.empty()) body["totp"] = totp;
    auto reply = api.post("/api/v1/auth/login", body);
    EXPECT_TRUE(reply) << reply.error().message;
    return reply ? *reply : client::HttpReply{};
  }

  client::HttpReply login(client::ApiClient&& api, const std::string& username,
                          const std::string& password, const std::string& totp = {}) {
    return login(api, username, password, totp);
  }

  /// A client logged in as admin.
  client::ApiClient admin() {
    client::ApiClient api = anonymous();
    const auto reply = login(api, "admin", kAdminPassword);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return api;
  }

  /// Creates a user with one role through the API; returns its id.
  std::int64_t create_user(client::ApiClient& as, const std::string& username,
                           const std::string& password, const std::string& role) {
    auto reply = as.post("/api/v1/users", boost::json::object{{"username", username},
                                                              {"password", password},
                                                              {"roles", boost::json::array{role}}});
    EXPECT_TRUE(reply);
    EXPECT_EQ(reply->status, 201) << reply->body;
    auto json = reply->json();
    return json ? json->at("id").to_number<std::int64_t>() : 0;
  }

  std::unique_ptr<ServerProcess> server_;
};

/// JSON body of a reply, or an empty object (and a test failure) when it is not JSON.
inline boost::json::value body_of(const client::HttpReply& reply) {
  auto json = reply.json();
  EXPECT_TRUE(json) << reply.body;
  return json ? *json : boost::json::value(boost::json::object{});
}

inline std::string error_code(const client::HttpReply& reply) {
  auto error = reply.api_error();
  return error ? error->code : std::string("<no error document: ") + reply.body + ">";
}

#define SENTINEL_BOTH_BACKENDS(suite)                                                  \
  INSTANTIATE_TEST_SUITE_P(Backends, suite, ::testing::Values("sqlite", "postgresql"), \
                           [](const auto& info) { return info.param; })

}  // namespace sentinel::test
