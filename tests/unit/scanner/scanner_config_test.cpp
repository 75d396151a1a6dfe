// The scan scopes in the server's configuration: none by default, set by scanner.scopes (file,
// environment) or --scan-scope (which main turns into one comma list), and checked at start.

#include <gtest/gtest.h>

#include "sentinel/server/config.h"

namespace sentinel::server {
namespace {

TEST(ScannerConfigTest, NoScopesByDefault) {
  auto config = load_config({});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->scanner.scopes.empty());
}

TEST(ScannerConfigTest, FlagsAndEnvironmentSetTheScopes) {
  ConfigSources flags;
  flags.flags = {{"scanner.scopes", "127.0.0.0/8,127.68.0.0/16"}};
  auto from_flags = load_config(flags);
  ASSERT_TRUE(from_flags) << from_flags.error().message;
  EXPECT_EQ(from_flags->scanner.scopes, (std::vector<std::string>{"127.0.0.0/8", "127.68.0.0/16"}));

  ConfigSources environment;
  environment.environment = {{"SENTINEL_SCANNER__SCOPES", "127.68.0.0/16"}};
  auto from_environment = load_config(environment);
  ASSERT_TRUE(from_environment) << from_environment.error().message;
  EXPECT_EQ(from_environment->scanner.scopes, std::vector<std::string>{"127.68.0.0/16"});
}

TEST(ScannerConfigTest, RawSocketsCanBeTurnedOff) {
  auto defaults = load_config({});
  ASSERT_TRUE(defaults);
  EXPECT_TRUE(defaults->scanner.raw_sockets);
  ConfigSources off;
  off.flags = {{"scanner.raw_sockets", "false"}};
  auto config = load_config(off);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_FALSE(config->scanner.raw_sockets);
  ConfigSources bad;
  bad.flags = {{"scanner.raw_sockets", "no"}};
  auto refused = load_config(bad);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("scanner.raw_sockets"), std::string::npos);
}

TEST(ScannerConfigTest, BadScopesAreReportedAtStart) {
  ConfigSources flags;
  flags.flags = {{"scanner.scopes", "127.0.0.1/8,not-a-network"}};
  auto config = load_config(flags);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("scanner.scopes"), std::string::npos)
      << config.error().message;
  EXPECT_NE(config.error().message.find("127.0.0.1/8"), std::string::npos)
      << config.error().message;
  EXPECT_NE(config.error().message.find("not-a-network"), std::string::npos)
      << config.error().message;
}

}  // namespace
}  // namespace sentinel::server
