// Alerts reach the WebSocket stream live, and only sessions holding alerts:read. The gateway, auth
// and alerts services run in this process on a real database, as the server wires them, so that
// the test can call AlertService::record() the way the detect module does.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <optional>

#include "client/api_client.h"
#include "client/stream_client.h"
#include "sentinel/alerts/alert_service.h"
#include "sentinel/alerts/routes.h"
#include "sentinel/auth/audit_log.h"
#include "sentinel/auth/auth_service.h"
#include "sentinel/auth/routes.h"
#include "sentinel/common/metrics.h"
#include "sentinel/gateway/gateway.h"
#include "tests/support/server_process.h"
#include "tests/support/test_database.h"

namespace sentinel::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

class AlertStreamTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto db = open_test_database(GetParam(), dir_);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    bus_ = bus::make_inproc_bus();
    audit_ = auth::make_audit_log(*db_, *bus_, clock_);
    auth::AuthConfig config;
    config.password_cost = auth::PasswordCost::minimum();
    auto auth = auth::AuthService::create(*db_, *audit_, metrics_, clock_, config);
    ASSERT_TRUE(auth) << auth.error().message;
    auth_ = std::move(*auth);
    ASSERT_TRUE(auth_->ensure_admin(Secret(std::string(kAdminPassword))));
    ASSERT_TRUE(auth::register_auth_routes(router_, *auth_));
    alerts_ = alerts::AlertService::create(*db_, *audit_, *bus_, clock_);
    ASSERT_TRUE(alerts::register_alert_routes(router_, *alerts_));

    gateway::GatewayOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = (dir_.path() / "data").string();
    auto gateway =
        gateway::Gateway::create(options, router_, *auth_, *bus_, metrics_, [] { return true; });
    ASSERT_TRUE(gateway) << gateway.error().message;
    gateway_ = std::move(*gateway);
    ASSERT_TRUE(gateway_->start());
  }

  void TearDown() override {
    if (gateway_) {
      gateway_->drain();
      gateway_->stop();
    }
    if (bus_) bus_->stop();
  }

  client::ApiClient client() {
    client::ClientOptions options;
    options.base_url = "https://" + gateway_->bound_address();
    options.ca_file = (dir_.path() / "data" / "tls" / "server.crt").string();
    auto api = client::ApiClient::create(options);
    EXPECT_TRUE(api) << api.error().message;
    return std::move(*api);
  }

  client::ApiClient logged_in(const std::string& username, const std::string& password) {
    client::ApiClient api = client();
    auto reply = api.post("/api/v1/auth/login",
                          json::object{{"username", username}, {"password", password}});
    EXPECT_TRUE(reply && reply->status == 200) << (reply ? reply->body : reply.error().message);
    return api;
  }

  /// Reads messages until one of `type` arrives or `timeout` passes.
  static std::optional<json::object> next_of_type(client::StreamClient& stream,
                                                  const std::string& type,
                                                  std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      auto message = stream.next_message(std::max(left, 1ms));
      if (!message) return std::nullopt;
      json::object parsed = json::parse(*message).as_object();
      if (parsed.at("type").as_string() == type) return parsed;
    }
    return std::nullopt;
  }

  static detection::Detection detection() {
    detection::Detection out;
    out.rule_id = "ssh-brute-force";
    out.rule_title = "SSH brute force";
    out.severity = detection::Severity::kHigh;
    out.entity = "source.ip=203.0.113.9";
    out.summary = "SSH brute force from 203.0.113.9";
    return out;
  }

  TempDir dir_{"sentinel-alert-stream"};
  SystemClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<bus::Bus> bus_;
  std::unique_ptr<auth::AuditLog> audit_;
  std::unique_ptr<auth::AuthService> auth_;
  std::unique_ptr<alerts::AlertService> alerts_;
  gateway::Router router_;
  std::unique_ptr<gateway::Gateway> gateway_;
};

TEST_P(AlertStreamTest, AlertsReachSessionsWithAlertsReadOnly) {
  client::ApiClient root = logged_in("admin", kAdminPassword);
  const std::string password = "Stream-Viewer-Password-3307";
  auto created = root.post("/api/v1/users", json::object{{"username", "watcher"},
                                                         {"password", password},
                                                         {"roles", json::array{"viewer"}}});
  ASSERT_TRUE(created && created->status == 201) << (created ? created->body : "");
  client::ApiClient viewer = logged_in("watcher", password);
  // A token narrowed to agents:read: authenticated, but without alerts:read.
  auto token =
      root.post("/api/v1/tokens",
                json::object{{"name", "agents-only"}, {"permissions", json::array{"agents:read"}}});
  ASSERT_TRUE(token && token->status == 201) << (token ? token->body : "");
  client::ApiClient narrow = client();
  narrow.set_bearer_token(Secret(std::string(json::parse(token->body).at("token").as_string())));

  auto viewer_stream = client::StreamClient::connect(viewer);
  ASSERT_TRUE(viewer_stream) << viewer_stream.error().message;
  auto narrow_stream = client::StreamClient::connect(narrow);
  ASSERT_TRUE(narrow_stream) << narrow_stream.error().message;
  ASSERT_TRUE(next_of_type(*viewer_stream, "hello", 5s));
  ASSERT_TRUE(next_of_type(*narrow_stream, "hello", 5s));

  auto recorded = alerts_->record(detection());
  ASSERT_TRUE(recorded) << recorded.error().message;
  auto created_message = next_of_type(*viewer_stream, "alert", 5s);
  ASSERT_TRUE(created_message) << "no alert message arrived";
  EXPECT_EQ(created_message->at("action").as_string(), "created");
  const json::object& alert = created_message->at("alert").as_object();
  EXPECT_EQ(alert.at("id").as_int64(), recorded->id);
  EXPECT_EQ(alert.at("rule_id").as_string(), "ssh-brute-force");
  EXPECT_EQ(alert.at("severity").as_string(), "high");
  EXPECT_EQ(alert.at("status").as_string(), "new");
  EXPECT_EQ(alert.at("count").as_int64(), 1);

  ASSERT_TRUE(alerts_->record(detection()));
  auto matched = next_of_type(*viewer_stream, "alert", 5s);
  ASSERT_TRUE(matched);
  EXPECT_EQ(matched->at("action").as_string(), "updated");
  EXPECT_EQ(matched->at("alert").at("count").as_int64(), 2);

  // A change made through the API is streamed as well.
  auto patched = root.patch("/api/v1/alerts/" + std::to_string(recorded->id),
                            json::object{{"status", "acknowledged"}});
  ASSERT_TRUE(patched && patched->status == 200) << (patched ? patched->body : "");
  auto changed = next_of_type(*viewer_stream, "alert", 5s);
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->at("alert").at("status").as_string(), "acknowledged");

  EXPECT_FALSE(next_of_type(*narrow_stream, "alert", 1s))
      << "a session without alerts:read received an alert";
}

INSTANTIATE_TEST_SUITE_P(Backends, AlertStreamTest, ::testing::ValuesIn(kBackends),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::test
