// The agents: section of the server config, and the addresses told to agents.

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "sentinel/agents/enrollment.h"
#include "sentinel/server/config.h"
#include "tests/support/temp_dir.h"

namespace sentinel::agents {
namespace {

std::string hostname() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

Result<server::ServerConfig> load_yaml(const std::string& text) {
  sentinel::test::TempDir dir;
  const auto path = dir.path() / "server.yaml";
  std::ofstream(path) << text;
  server::ConfigSources sources;
  sources.file = path.string();
  return server::load_config(sources);
}

TEST(AgentsConfigTest, DefaultsAndEveryKey) {
  auto defaults = server::load_config({});
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->agents.listen, "127.0.0.1:8444");
  EXPECT_EQ(defaults->agents.certificate_lifetime_minutes, 43200);
  EXPECT_EQ(defaults->agents.heartbeat_s, 15);
  EXPECT_EQ(defaults->agents.offline_after_s, 45);
  EXPECT_EQ(defaults->agents.enroll_token_minutes, 60);
  EXPECT_TRUE(defaults->agents.channel_names.empty());

  auto config = load_yaml(
      "agents:\n"
      "  listen: 0.0.0.0:9444\n"
      "  public_url: https://sentinel.example.com\n"
      "  public_channel_url: wss://agents.example.com:443\n"
      "  certificate_lifetime_minutes: 2\n"
      "  heartbeat_s: 5\n"
      "  offline_after_s: 20\n"
      "  enroll_token_minutes: 30\n"
      "  channel_names: [agents.example.com, 10.0.0.5]\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->agents.listen, "0.0.0.0:9444");
  EXPECT_EQ(config->agents.public_channel_url, "wss://agents.example.com:443");
  EXPECT_EQ(config->agents.certificate_lifetime_minutes, 2);
  EXPECT_EQ(config->agents.channel_names,
            (std::vector<std::string>{"agents.example.com", "10.0.0.5"}));

  server::ConfigSources environment;
  environment.environment = {{"SENTINEL_AGENTS__CHANNEL_NAMES", "a.example, b.example"},
                             {"SENTINEL_AGENTS__HEARTBEAT_S", "10"}};
  auto from_environment = server::load_config(environment);
  ASSERT_TRUE(from_environment) << from_environment.error().message;
  EXPECT_EQ(from_environment->agents.channel_names,
            (std::vector<std::string>{"a.example", "b.example"}));
}

TEST(AgentsConfigTest, EveryProblemIsReported) {
  auto config = load_yaml(
      "agents:\n"
      "  listen: nowhere\n"
      "  public_url: http://plain.example\n"
      "  public_channel_url: ftp://x\n"
      "  certificate_lifetime_minutes: 0\n"
      "  heartbeat_s: 30\n"
      "  offline_after_s: 30\n"
      "  channel_names: [\"two words\"]\n"
      "  lisen: 1.2.3.4:5\n");
  ASSERT_FALSE(config);
  const std::string& message = config.error().message;
  for (const char* expected : {"agents.listen", "agents.public_url", "agents.public_channel_url",
                               "agents.certificate_lifetime_minutes", "agents.offline_after_s",
                               "agents.channel_names", "agents.lisen: unknown key"}) {
    EXPECT_NE(message.find(expected), std::string::npos) << expected << " in:\n" << message;
  }
}

TEST(AgentsConfigTest, EnrolmentCommandUrl) {
  EXPECT_EQ(agent_server_url("https://sentinel.example.com/", "0.0.0.0:8443"),
            "https://sentinel.example.com");
  EXPECT_EQ(agent_server_url("", "127.0.0.1:8443"), "https://127.0.0.1:8443");
  EXPECT_EQ(agent_server_url("", "0.0.0.0:8443"), "https://" + hostname() + ":8443");
  EXPECT_EQ(agent_server_url("", "[::]:8443"), "https://" + hostname() + ":8443");
  EXPECT_EQ(agent_server_url("", "[::1]:8443"), "https://[::1]:8443");
  EXPECT_EQ(url_host("wss://[fd00::1]:8444/agent"), "fd00::1");
  EXPECT_EQ(url_host("https://user@sentinel.example:8443/x?y"), "sentinel.example");
  EXPECT_EQ(url_host("https://sentinel.example"), "sentinel.example");
  EXPECT_EQ(url_host(""), "");
}

}  // namespace
}  // namespace sentinel::agents
