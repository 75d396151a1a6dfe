#include "sentinel/server/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/temp_dir.h"

namespace sentinel::server {
namespace {

std::string write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path.string();
}

TEST(ConfigTest, DefaultsAreValid) {
  auto config = load_config({});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->gateway.listen, "127.0.0.1:8443");
  EXPECT_EQ(config->gateway.tls.min_version, "1.3");
  EXPECT_EQ(config->gateway.max_body_bytes, 1 << 20);
  EXPECT_EQ(config->database_url(), "sqlite:./var/sentinel.db");
}

TEST(ConfigTest, FileThenEnvironmentThenFlags) {
  test::TempDir dir;
  ConfigSources sources;
  sources.file = write_file(dir.path() / "server.yaml",
                            "data_dir: /srv/sentinel\n"
                            "gateway:\n"
                            "  listen: 127.0.0.1:9000\n"
                            "  max_body_bytes: 4096\n"
                            "log:\n"
                            "  level: debug\n");
  sources.environment = {{"SENTINEL_LISTEN", "127.0.0.1:9100"},
                         {"SENTINEL_GATEWAY__MAX_BODY_BYTES", "8192"}};
  sources.flags = {{"gateway.listen", "127.0.0.1:9200"}, {"targets", "gateway, auth"}};
  auto config = load_config(sources);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->data_dir, "/srv/sentinel");
  EXPECT_EQ(config->gateway.listen, "127.0.0.1:9200");  // flag beats environment beats file
  EXPECT_EQ(config->gateway.max_body_bytes, 8192);      // environment beats file
  EXPECT_EQ(config->log.level, "debug");
  EXPECT_EQ(config->targets, (std::vector<std::string>{"gateway", "auth"}));
  EXPECT_EQ(config->database_url(), "sqlite:/srv/sentinel/sentinel.db");
}

TEST(ConfigTest, EveryProblemIsReportedWithItsSource) {
  test::TempDir dir;
  ConfigSources sources;
  sources.file = write_file(dir.path() / "bad.yaml",
                            "gateway:\n"
                            "  listn: 127.0.0.1:9000\n"
                            "  max_body_bytes: lots\n"
                            "log:\n"
                            "  level: loud\n");
  sources.flags = {{"gateway.tls.min_version", "1.0"}};
  auto config = load_config(sources);
  ASSERT_FALSE(config);
  const std::string& message = config.error().message;
  EXPECT_NE(message.find("bad.yaml:2: gateway.listn: unknown key"), std::string::npos) << message;
  EXPECT_NE(message.find("bad.yaml:3: gateway.max_body_bytes: 'lots' is not an integer"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("log.level"), std::string::npos) << message;
  EXPECT_NE(message.find("gateway.tls.min_version: must be 1.3 or 1.2"), std::string::npos)
      << message;
}

TEST(ConfigTest, MalformedYamlNamesTheLine) {
  test::TempDir dir;
  ConfigSources sources;
  sources.file = write_file(dir.path() / "broken.yaml", "gateway:\n  listen: [unclosed\n");
  auto config = load_config(sources);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("broken.yaml:"), std::string::npos);
}

TEST(ConfigTest, MissingFileIsAnError) {
  ConfigSources sources;
  sources.file = "/nonexistent/sentinel.yaml";
  auto config = load_config(sources);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("cannot read"), std::string::npos);
}

TEST(ConfigTest, LongRunningThreadsAreSetLikeTheOtherPoolsAndMustBePositive) {
  EXPECT_EQ(load_config({})->gateway.long_running_threads, 4);
  ConfigSources sources;
  sources.environment = {{"SENTINEL_GATEWAY__LONG_RUNNING_THREADS", "7"}};
  auto config = load_config(sources);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->gateway.long_running_threads, 7);
  sources.flags = {{"gateway.long_running_threads", "0"}};
  auto refused = load_config(sources);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("gateway.long_running_threads"), std::string::npos)
      << refused.error().message;
}

// 0 is a setting, not a mistake: no long-running request waits, those beyond the threads get 503.
TEST(ConfigTest, LongRunningQueueIsSetLikeTheOtherGatewayOptionsAndMayBeZero) {
  EXPECT_EQ(load_config({})->gateway.long_running_queue, 16);
  ConfigSources sources;
  sources.environment = {{"SENTINEL_GATEWAY__LONG_RUNNING_QUEUE", "40"}};
  auto config = load_config(sources);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->gateway.long_running_queue, 40);
  sources.flags = {{"gateway.long_running_queue", "0"}};
  auto none_waits = load_config(sources);
  ASSERT_TRUE(none_waits) << none_waits.error().message;
  EXPECT_EQ(none_waits->gateway.long_running_queue, 0);
  for (const char* wrong : {"-1", "1025", "many"}) {
    sources.flags = {{"gateway.long_running_queue", wrong}};
    auto refused = load_config(sources);
    ASSERT_FALSE(refused) << wrong;
    EXPECT_NE(refused.error().message.find("gateway.long_running_queue"), std::string::npos)
        << refused.error().message;
  }
}

TEST(ConfigTest, EnvironmentNames) {
  EXPECT_EQ(environment_name("gateway.tls.cert_file"), "SENTINEL_GATEWAY__TLS__CERT_FILE");
  EXPECT_EQ(environment_name("db"), "SENTINEL_DB");
}

}  // namespace
}  // namespace sentinel::server

namespace sentinel::server {
namespace {

TEST(ConfigTest, ShippedExampleLoadsAndMatchesTheDefaults) {
  ConfigSources sources;
  sources.file = std::string(SENTINEL_TEST_DATA) + "/../../deploy/config/server.example.yaml";
  auto example = load_config(sources);
  ASSERT_TRUE(example) << example.error().message;
  auto defaults = load_config({});
  ASSERT_TRUE(defaults);
  EXPECT_EQ(example->gateway.listen, defaults->gateway.listen);
  EXPECT_EQ(example->gateway.max_body_bytes, defaults->gateway.max_body_bytes);
  EXPECT_EQ(example->gateway.long_running_threads, defaults->gateway.long_running_threads);
  EXPECT_EQ(example->gateway.long_running_queue, defaults->gateway.long_running_queue);
  EXPECT_EQ(example->auth.lockout_base_seconds, defaults->auth.lockout_base_seconds);
  EXPECT_EQ(example->auth.lockout_max_seconds, defaults->auth.lockout_max_seconds);
  EXPECT_EQ(example->gateway.tls.min_version, "1.3");
}

}  // namespace
}  // namespace sentinel::server
