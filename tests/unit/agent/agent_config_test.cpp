#include "agent/config/agent_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace sentinel::agent {
namespace {

using ::testing::HasSubstr;

std::string write(const test::TempDir& dir, const std::string& text) {
  const std::string path = dir.path().string() + "/agent.yaml";
  std::ofstream(path) << text;
  return path;
}

TEST(AgentConfigTest, FileOverridesDefaultsAndListsWork) {
  test::TempDir dir("agent-config");
  auto config = load_agent_config(write(dir, R"(server: https://10.0.0.1:8443
channel: 10.0.0.1:8444
inventory:
  interval_s: 60
logs:
  files: [/var/log/auth.log, /var/log/syslog]
fim:
  paths:
)"));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server, "https://10.0.0.1:8443");
  EXPECT_EQ(config->inventory_interval_s, 60);
  EXPECT_EQ(config->log_files.size(), 2u);
  EXPECT_TRUE(config->fim_paths.empty());
  EXPECT_EQ(config->spool_max_mb, 256);  // default kept
}

TEST(AgentConfigTest, EveryProblemIsReportedWithLineAndKey) {
  test::TempDir dir("agent-config");
  auto config = load_agent_config(write(dir, R"(inventory:
  interval: 60
spool:
  sync: sometimes
limits:
  cpu_percent: 400
)"));
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, HasSubstr("agent.yaml:2: inventory.interval: unknown key"));
  EXPECT_THAT(config.error().message, HasSubstr("agent.yaml:4: spool.sync: 'sometimes'"));
  EXPECT_THAT(config.error().message, HasSubstr("agent.yaml:6: limits.cpu_percent: 400"));
}

TEST(AgentConfigTest, WrittenConfigLoadsBackTheSame) {
  test::TempDir dir("agent-config");
  AgentConfig original;
  original.server = "https://[::1]:8443";
  original.channel = "[::1]:8444";
  original.inventory_interval_s = 42;
  original.log_files = {"/var/log/a.log"};
  original.log_journal = true;
  original.fim_paths = {"/etc", "/usr/bin"};
  original.fim_exclude = {"/etc/*.swp"};
  original.fim_interval_s = 600;
  original.process_events = false;
  original.sandbox = false;
  auto loaded = load_agent_config(write(dir, to_yaml(original)));
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->server, original.server);
  EXPECT_EQ(loaded->channel, original.channel);
  EXPECT_EQ(loaded->inventory_interval_s, 42);
  EXPECT_EQ(loaded->log_files, original.log_files);
  EXPECT_TRUE(loaded->log_journal);
  EXPECT_EQ(loaded->fim_paths, original.fim_paths);
  EXPECT_EQ(loaded->fim_exclude, original.fim_exclude);
  EXPECT_EQ(loaded->fim_interval_s, 600);
  EXPECT_FALSE(loaded->process_events);
  EXPECT_FALSE(loaded->sandbox);
}

TEST(AgentConfigTest, CentralOverridesTouchOnlyRuntimeSettings) {
  AgentConfig base;
  auto applied = apply_central_config(
      boost::json::object{{"inventory", boost::json::object{{"interval_s", 30}}},
                          {"limits", boost::json::object{{"cpu_percent", 2}}}},
      base);
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(applied->inventory_interval_s, 30);
  EXPECT_EQ(applied->cpu_max_percent, 2);

  auto refused = apply_central_config(
      boost::json::object{{"channel", "evil.example:1"},
                          {"spool", boost::json::object{{"max_mb", 1}}},
                          {"inventory", boost::json::object{{"interval_s", "soon"}}}},
      base);
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("channel: cannot be changed centrally"));
  EXPECT_THAT(refused.error().message, HasSubstr("spool.max_mb: cannot be changed centrally"));
  EXPECT_THAT(refused.error().message, HasSubstr("inventory.interval_s: 'soon' is not an integer"));
}

}  // namespace
}  // namespace sentinel::agent
