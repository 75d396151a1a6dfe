// The server as an operator meets it: health, metrics, OpenAPI, headers, config errors, SIGTERM.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/api_fixture.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {
namespace {

class ServerLifecycleTest : public ApiTest {};

TEST_P(ServerLifecycleTest, HealthReadinessMetricsAndOpenApiAnswer) {
  client::ApiClient api = anonymous();
  EXPECT_EQ(api.get("/healthz")->status, 200);
  EXPECT_EQ(api.get("/readyz")->status, 200);

  client::ApiClient root = admin();
  root.get("/api/v1/users");
  auto metrics = api.get("/metrics");
  ASSERT_TRUE(metrics);
  ASSERT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("sentinel_http_requests_total"), std::string::npos);
  EXPECT_NE(metrics->body.find("sentinel_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics->body.find("route=\"/api/v1/users\""), std::string::npos);
  EXPECT_NE(metrics->body.find("sentinel_logins_total"), std::string::npos);

  auto openapi = api.get("/api/v1/openapi.json");
  ASSERT_TRUE(openapi);
  ASSERT_EQ(openapi->status, 200);
  const auto document = body_of(*openapi);
  EXPECT_EQ(document.at("openapi").as_string().subview().substr(0, 3), "3.1");
  EXPECT_TRUE(document.at("paths").as_object().contains("/api/v1/users/{id}"));
}

TEST_P(ServerLifecycleTest, EveryResponseCarriesSecurityHeadersAndARequestId) {
  client::ApiClient api = anonymous();
  for (const std::string path : {"/healthz", "/api/v1/users", "/api/v1/nothing"}) {
    auto reply = api.get(path);
    ASSERT_TRUE(reply);
    EXPECT_NE(reply->header("strict-transport-security").find("max-age="), std::string::npos)
        << path;
    EXPECT_NE(reply->header("content-security-policy").find("frame-ancestors 'none'"),
              std::string::npos)
        << path;
    EXPECT_EQ(reply->header("x-content-type-options"), "nosniff") << path;
    EXPECT_FALSE(reply->header("referrer-policy").empty()) << path;
    EXPECT_FALSE(reply->header("x-request-id").empty()) << path;
  }
  auto first = api.get("/healthz");
  auto second = api.get("/healthz");
  EXPECT_NE(first->header("x-request-id"), second->header("x-request-id"));
}

TEST_P(ServerLifecycleTest, SigtermStopsCleanly) {
  auto code = server_->stop();
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(*code, 0) << server_->log();
  EXPECT_NE(server_->log().find("stopped"), std::string::npos) << server_->log();
}

TEST_P(ServerLifecycleTest, RestartKeepsUsersAndDoesNotCreateTheAdminAgain) {
  client::ApiClient root = admin();
  create_user(root, "persistent", "Durable-Secret-Phrase-77", "viewer");
  ASSERT_TRUE(server_->stop());

  // A second server on the same data dir and database.
  const std::string url_file = server_->data_dir() + "/server.url";
  std::filesystem::remove(url_file);
  TempDir logs;
  const std::string log = (logs.path() / "log").string();
  auto again =
      ChildProcess::spawn({binary_path("sentinel-server"), "--data-dir", server_->data_dir(),
                           "--listen", "127.0.0.1:0", "--db", server_->database_url()},
                          {{"SENTINEL_ADMIN_PASSWORD", "Another-Password-Ignored-1"}}, log);
  ASSERT_TRUE(again);
  for (int i = 0; i < 500 && !std::filesystem::exists(url_file); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::ifstream url_in(url_file);
  std::string url;
  std::getline(url_in, url);
  ASSERT_FALSE(url.empty());

  client::ClientOptions options;
  options.base_url = url;
  options.ca_file = server_->ca_file();  // the certificate generated at first start is reused
  auto api = client::ApiClient::create(options);
  ASSERT_TRUE(api);
  ASSERT_EQ(login(*api, "admin", kAdminPassword).status, 200);
  auto users = api->get("/api/v1/users");
  ASSERT_TRUE(users);
  EXPECT_NE(users->body.find("persistent"), std::string::npos);

  auto stopped = again->stop(SIGTERM, std::chrono::seconds(20));
  ASSERT_TRUE(stopped);
  EXPECT_EQ(*stopped, 0);
  std::ifstream in(log);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("Created user 'admin'"), std::string::npos) << text;
}

SENTINEL_BOTH_BACKENDS(ServerLifecycleTest);

TEST(ServerConfigErrorsTest, BadConfigurationExitsWithEveryProblemListed) {
  TempDir dir;
  const std::string config = (dir.path() / "server.yaml").string();
  std::ofstream(config) << "gateway:\n  listn: 1\nlog:\n  level: loud\n";
  auto out = run_command({binary_path("sentinel-server"), "--config", config, "--data-dir",
                          (dir.path() / "data").string()});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->exit_code, 2);
  EXPECT_NE(out->err.find("server.yaml:2: gateway.listn: unknown key"), std::string::npos)
      << out->err;
  EXPECT_NE(out->err.find("log.level"), std::string::npos) << out->err;
}

TEST(ServerConfigErrorsTest, UnknownTargetIsRefused) {
  TempDir dir;
  auto out = run_command({binary_path("sentinel-server"), "--target", "gatewy", "--data-dir",
                          (dir.path() / "data").string(), "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(out);
  EXPECT_NE(out->exit_code, 0);
  EXPECT_NE((out->out + out->err).find("unknown target 'gatewy'"), std::string::npos) << out->err;
}

TEST(ServerConfigErrorsTest, GeneratedAdminPasswordIsPrintedOnceAndNeverLogged) {
  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  const std::string log = (dir.path() / "log").string();
  std::map<std::string, std::string> environment = {{"SENTINEL_ADMIN_PASSWORD", ""}};
  auto first = ChildProcess::spawn(
      {binary_path("sentinel-server"), "--data-dir", data, "--listen", "127.0.0.1:0"}, environment,
      log);
  ASSERT_TRUE(first);
  for (int i = 0; i < 300 && !std::filesystem::exists(data + "/server.url"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(first->stop(SIGTERM, std::chrono::seconds(20)));
  std::ifstream in(log);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string marker = "Created user 'admin' with password: ";
  const std::size_t at = text.find(marker);
  ASSERT_NE(at, std::string::npos) << text;
  const std::string password =
      text.substr(at + marker.size(), text.find('\n', at) - at - marker.size());
  EXPECT_GE(password.size(), 16u);
  // Only the one line carries it.
  EXPECT_EQ(text.find(password, at + marker.size() + password.size()), std::string::npos) << text;
  EXPECT_EQ(text.find(password), at + marker.size());
}

}  // namespace
}  // namespace sentinel::test
