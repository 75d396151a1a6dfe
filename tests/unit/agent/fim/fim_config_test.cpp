// The monitor's settings are checked once, with every problem named by its key.

#include "agent/collectors/fim/fim_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sentinel::agent::fim {
namespace {

using ::testing::HasSubstr;

TEST(FimConfigTest, AcceptsAUsualConfig) {
  FimConfig config;
  config.paths = {"/etc", "/usr/bin/", "/boot/grub/grub.cfg"};
  config.excludes = {"/etc/*.swp", "/var/cache/**", "**/*.pyc"};
  EXPECT_TRUE(validate_config(config));
}

TEST(FimConfigTest, ReportsEveryProblemWithItsKey) {
  FimConfig config;
  config.paths = {"etc", "/usr//bin", "/var/../etc", "/etc/", "/etc", "/var/cache/x"};
  config.excludes = {"*.swp", "", "/etc/[ab", "/var/cache/**"};
  config.full_check_interval_s = 5;
  config.window_ms = 0;
  config.hash_threads = 0;
  const Status status = validate_config(config);
  ASSERT_FALSE(status);
  const std::string& message = status.error().message;
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.error().field, "fim.paths[0]");
  EXPECT_THAT(message, HasSubstr("fim.paths[0]: \"etc\" must be an absolute path"));
  EXPECT_THAT(message, HasSubstr("fim.paths[1]: \"/usr//bin\" has an empty component"));
  EXPECT_THAT(message, HasSubstr("fim.paths[2]: \"/var/../etc\" must not contain"));
  EXPECT_THAT(message, HasSubstr("fim.paths[4]: \"/etc\" is listed twice"));
  EXPECT_THAT(message,
              HasSubstr("fim.paths[5]: \"/var/cache/x\" is excluded by \"/var/cache/**\""));
  EXPECT_THAT(message, HasSubstr("fim.excludes[0]: \"*.swp\" must match full paths"));
  EXPECT_THAT(message, HasSubstr("fim.excludes[1]: must not be empty"));
  EXPECT_THAT(message, HasSubstr("fim.excludes[2]: pattern \"/etc/[ab\" has a '['"));
  EXPECT_THAT(message, HasSubstr("fim.full_check_interval_s: must be between 60"));
  EXPECT_THAT(message, HasSubstr("fim.window_ms: must be between 10"));
  EXPECT_THAT(message, HasSubstr("fim.hash_threads: must be between 1 and 16, not 0"));
}

TEST(FimConfigTest, NeedsAtLeastOnePath) {
  const Status status = validate_config(FimConfig{});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().field, "fim.paths");
}

TEST(FimConfigTest, NormalisesTrailingSlashes) {
  EXPECT_EQ(normalize_path("/etc/"), "/etc");
  EXPECT_EQ(normalize_path("/etc//"), "/etc");
  EXPECT_EQ(normalize_path("/"), "/");
}

}  // namespace
}  // namespace sentinel::agent::fim
