// sentinelctl against a real server: what a user at the command line would notice. Each command
// runs the built binary with its own config directory, so it never touches the real home.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/api_fixture.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {
namespace {

namespace json = boost::json;
using Environment = std::map<std::string, std::string>;

// Passwords that do not contain the user names they belong to (the server refuses those).
constexpr const char* kAnalystPassword = "Amber-Falcon-Ridge-2931";
constexpr const char* kViewerPassword = "Copper-Lantern-Moss-5817";

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

// A port on 127.0.0.1 that nothing listens on: bound once by the kernel's choice, then closed.
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  int port = 1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

class SentinelctlTest : public ApiTest {
 protected:
  /// Runs sentinelctl with `args`, `input` on stdin, its config directory and `environment`.
  /// SENTINEL_SERVER, SENTINEL_TOKEN and SENTINEL_CA_FILE are empty unless `environment` sets
  /// them, so nothing from the test runner's environment leaks in.
  CommandOutput ctl(const std::vector<std::string>& args, const std::string& input = {},
                    Environment environment = {}) {
    Environment merged = {{"SENTINEL_CONFIG_DIR", config_.path().string()},
                          {"SENTINEL_SERVER", ""},
                          {"SENTINEL_TOKEN", ""},
                          {"SENTINEL_CA_FILE", ""}};
    for (auto& [key, value] : environment) merged[key] = std::move(value);
    std::vector<std::string> argv = {binary_path("sentinelctl")};
    argv.insert(argv.end(), args.begin(), args.end());
    auto output = run_command(argv, input, merged, std::chrono::seconds(60));
    EXPECT_TRUE(output) << output.error().message;
    if (!output) return CommandOutput{};
    return *output;
  }

  /// The server and its certificate, as a script would set them.
  Environment server_env(const std::string& token = {}) const {
    Environment environment = {{"SENTINEL_SERVER", server_->url()},
                               {"SENTINEL_CA_FILE", server_->ca_file()}};
    if (!token.empty()) environment["SENTINEL_TOKEN"] = token;
    return environment;
  }

  /// sentinelctl with the server named by environment (and optionally a token).
  CommandOutput ctl_at_server(const std::vector<std::string>& args, const std::string& input = {},
                              const std::string& token = {}) {
    return ctl(args, input, server_env(token));
  }

  std::filesystem::path credentials_file() const { return config_.path() / "credentials.json"; }

  /// `sentinelctl login` as admin with the password on stdin; asserts success.
  void login_as_admin() {
    const CommandOutput out = ctl({"--server", server_->url(), "--ca-file", server_->ca_file(),
                                   "login", "--username", "admin", "--password-stdin"},
                                  std::string(kAdminPassword) + "\n");
    ASSERT_EQ(out.exit_code, 0) << out.out << out.err;
  }

  /// The token stored by login.
  std::string stored_token() const {
    std::ifstream in(credentials_file());
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    const json::value parsed = json::parse(text.str(), ec);
    if (ec || !parsed.is_object()) return {};
    const auto* token = parsed.as_object().if_contains("token");
    return token != nullptr && token->is_string() ? std::string(token->as_string()) : "";
  }

  /// An API token of a new user holding only `role`, made through the API.
  std::string token_of_new_user(const std::string& username, const std::string& password,
                                const std::string& role) {
    client::ApiClient root = admin();
    create_user(root, username, password, role);
    client::ApiClient session = anonymous();
    EXPECT_EQ(login(session, username, password).status, 200);
    auto created = session.post("/api/v1/tokens", json::object{{"name", "script"}});
    EXPECT_TRUE(created);
    if (!created) return {};
    EXPECT_EQ(created->status, 201) << created->body;
    const auto body = body_of(*created);
    const auto* token = body.is_object() ? body.as_object().if_contains("token") : nullptr;
    return token != nullptr && token->is_string() ? std::string(token->as_string()) : "";
  }

  static json::value parse_json(const CommandOutput& out) {
    boost::system::error_code ec;
    json::value parsed = json::parse(out.out, ec);
    EXPECT_FALSE(ec) << "not JSON: " << out.out;
    return parsed;
  }

  /// The item of a `--output json ... list` reply whose `key` equals `value`; null if none.
  static json::value find_item(const json::value& reply, std::string_view key,
                               std::string_view value) {
    const auto* object = reply.if_object();
    const auto* items = object != nullptr ? object->if_contains("items") : nullptr;
    if (items == nullptr || !items->is_array()) return nullptr;
    for (const auto& item : items->as_array()) {
      const auto* field = item.is_object() ? item.as_object().if_contains(key) : nullptr;
      if (field != nullptr && field->is_string() && field->as_string() == value) return item;
    }
    return nullptr;
  }

  TempDir config_{"sentinelctl-config"};
};

TEST_P(SentinelctlTest, PasswdChangesTheOwnPassword) {
  login_as_admin();
  const std::string next = "Brand-New-Root-Phrase-314";
  const CommandOutput changed =
      ctl({"passwd", "--password-stdin"}, std::string(kAdminPassword) + "\n" + next + "\n");
  ASSERT_EQ(changed.exit_code, 0) << changed.out << changed.err;
  EXPECT_EQ(login(anonymous(), "admin", kAdminPassword).status, 401);
  EXPECT_EQ(login(anonymous(), "admin", next).status, 200);
  // A weak new password is refused and changes nothing.
  const CommandOutput weak = ctl({"passwd", "--password-stdin"}, next + "\nshort\n");
  EXPECT_EQ(weak.exit_code, 1) << weak.out << weak.err;
  EXPECT_EQ(login(anonymous(), "admin", next).status, 200);
}

TEST_P(SentinelctlTest, LoginStoresAPrivateTokenThatLaterCommandsUse) {
  login_as_admin();
  struct stat info {};
  ASSERT_EQ(::stat(credentials_file().c_str(), &info), 0) << "no credentials file";
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  // Neither --server, --ca-file nor --token: all three come from the credentials file.
  const CommandOutput whoami = ctl({"whoami"});
  ASSERT_EQ(whoami.exit_code, 0) << whoami.err;
  EXPECT_NE(whoami.out.find("username:"), std::string::npos) << whoami.out;
  EXPECT_NE(whoami.out.find("admin"), std::string::npos) << whoami.out;

  const CommandOutput as_json = ctl({"--output", "json", "whoami"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const json::value me = parse_json(as_json);
  ASSERT_TRUE(me.is_object());
  EXPECT_EQ(me.at("user").at("username").as_string(), "admin");
}

TEST_P(SentinelctlTest, CreatedUserShowsUpInTheList) {
  login_as_admin();
  const CommandOutput created =
      ctl({"users", "create", "--username", "dana", "--role", "analyst", "--password-stdin"},
          std::string(kAnalystPassword) + "\n");
  ASSERT_EQ(created.exit_code, 0) << created.err;

  const CommandOutput listed = ctl({"--output", "json", "users", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const json::value dana = find_item(parse_json(listed), "username", "dana");
  ASSERT_TRUE(dana.is_object()) << listed.out;
  EXPECT_EQ(dana.at("roles"), json::value(json::array{"analyst"}));
  EXPECT_EQ(dana.at("disabled"), json::value(false));

  const CommandOutput table = ctl({"users", "list"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("USERNAME"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("dana"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("analyst"), std::string::npos) << table.out;

  // The new user can log in with the password given on stdin.
  EXPECT_EQ(login(anonymous(), "dana", kAnalystPassword).status, 200);
}

TEST_P(SentinelctlTest, CreatedTokenWorksAsSentinelToken) {
  login_as_admin();
  const CommandOutput created = ctl({"tokens", "create", "--name", "ci"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string token = trimmed(created.out);
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(token.find('\n'), std::string::npos) << "only the token on stdout: " << created.out;

  // A script without any stored credentials.
  TempDir elsewhere("sentinelctl-script");
  Environment script = server_env(token);
  script["SENTINEL_CONFIG_DIR"] = elsewhere.path().string();
  const CommandOutput whoami = ctl({"--output", "json", "whoami"}, {}, script);
  ASSERT_EQ(whoami.exit_code, 0) << whoami.err;
  EXPECT_EQ(parse_json(whoami).at("user").at("username").as_string(), "admin");

  const CommandOutput listed = ctl({"--output", "json", "tokens", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(find_item(parse_json(listed), "name", "ci").is_object()) << listed.out;
}

TEST_P(SentinelctlTest, CustomRoleIsCreatedAndListed) {
  login_as_admin();
  const CommandOutput created = ctl({"roles", "create", "auditor", "--permission",
                                     "audit:read,users:read", "--description", "Reads the log"});
  ASSERT_EQ(created.exit_code, 0) << created.err;

  const CommandOutput listed = ctl({"--output", "json", "roles", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const json::value reply = parse_json(listed);
  const json::value auditor = find_item(reply, "name", "auditor");
  ASSERT_TRUE(auditor.is_object()) << listed.out;
  EXPECT_EQ(auditor.at("builtin"), json::value(false));
  EXPECT_EQ(auditor.at("description").as_string(), "Reads the log");
  const auto& permissions = auditor.at("permissions").as_array();
  EXPECT_NE(std::find(permissions.begin(), permissions.end(), json::value("audit:read")),
            permissions.end());
  EXPECT_TRUE(find_item(reply, "name", "viewer").is_object());

  const CommandOutput table = ctl({"roles", "list"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("auditor"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("Reads the log"), std::string::npos) << table.out;

  // Per-role 2FA is an auth setting, not a role field.
  EXPECT_EQ(
      ctl({"roles", "create", "other", "--permission", "audit:read", "--require-totp"}).exit_code,
      2);
}

TEST_P(SentinelctlTest, SettingsRequire2faForARole) {
  login_as_admin();
  const CommandOutput updated = ctl({"settings", "update", "--require-2fa-role", "viewer"});
  ASSERT_EQ(updated.exit_code, 0) << updated.err;

  const CommandOutput shown = ctl({"--output", "json", "settings", "show"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(parse_json(shown).at("require_2fa_roles"), json::value(json::array{"viewer"}));
  const CommandOutput table = ctl({"settings", "show"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("require_2fa_roles"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("viewer"), std::string::npos) << table.out;

  // A viewer without 2FA cannot get an API token until enrolled, and is told how to enrol.
  client::ApiClient root = admin();
  create_user(root, "vera", kViewerPassword, "viewer");
  TempDir vera_config("sentinelctl-vera");
  Environment vera = server_env();
  vera["SENTINEL_CONFIG_DIR"] = vera_config.path().string();
  const CommandOutput refused = ctl({"login", "--username", "vera", "--password-stdin"},
                                    std::string(kViewerPassword) + "\n", vera);
  EXPECT_EQ(refused.exit_code, 5) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("totp setup"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(vera_config.path() / "credentials.json"));

  const CommandOutput cleared = ctl({"settings", "update", "--no-require-2fa"});
  ASSERT_EQ(cleared.exit_code, 0) << cleared.err;
  const CommandOutput after = ctl({"--output", "json", "settings", "show"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(parse_json(after).at("require_2fa_roles"), json::value(json::array{}));
}

TEST_P(SentinelctlTest, AuditListShowsTheLoginAndTheChainVerifies) {
  login_as_admin();
  const CommandOutput listed = ctl({"audit", "list", "--action", "auth."});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("auth.login"), std::string::npos) << listed.out;

  const CommandOutput as_json = ctl({"--output", "json", "audit", "list", "--limit", "50"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const json::value login_entry = find_item(parse_json(as_json), "action", "auth.login");
  ASSERT_TRUE(login_entry.is_object()) << as_json.out;
  EXPECT_EQ(login_entry.at("actor").as_string(), "admin");

  const CommandOutput verified = ctl({"audit", "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("audit chain intact"), std::string::npos) << verified.out;
}

TEST_P(SentinelctlTest, LogoutDeletesTheFileAndRevokesTheToken) {
  login_as_admin();
  const std::string token = stored_token();
  ASSERT_FALSE(token.empty());
  ASSERT_EQ(ctl_at_server({"whoami"}, {}, token).exit_code, 0);

  const CommandOutput out = ctl({"logout"});
  ASSERT_EQ(out.exit_code, 0) << out.out << out.err;
  EXPECT_FALSE(std::filesystem::exists(credentials_file()));

  const CommandOutput revoked = ctl_at_server({"whoami"}, {}, token);
  EXPECT_EQ(revoked.exit_code, 4) << revoked.out << revoked.err;
  // Without credentials, commands ask for a login.
  EXPECT_EQ(ctl_at_server({"whoami"}).exit_code, 4);
}

TEST_P(SentinelctlTest, WrongPasswordAtLoginExits4) {
  const CommandOutput out =
      ctl_at_server({"login", "--username", "admin", "--password-stdin"}, "Not-The-Password-1\n");
  EXPECT_EQ(out.exit_code, 4) << out.out << out.err;
  EXPECT_NE(out.err.find("invalid_credentials"), std::string::npos) << out.err;
  EXPECT_FALSE(std::filesystem::exists(credentials_file()));
}

TEST_P(SentinelctlTest, UnreachableServerExits3) {
  const std::string url = "https://127.0.0.1:" + std::to_string(closed_port());
  const CommandOutput out = ctl({"--server", url, "--token", "sst_unused", "whoami"});
  EXPECT_EQ(out.exit_code, 3) << out.out << out.err;
  EXPECT_NE(out.err.find("cannot connect"), std::string::npos) << out.err;
}

TEST_P(SentinelctlTest, ViewerCannotCreateUsersExits5) {
  const std::string token = token_of_new_user("vince", kViewerPassword, "viewer");
  ASSERT_FALSE(token.empty());
  const CommandOutput out = ctl_at_server(
      {"users", "create", "--username", "mallory", "--role", "admin", "--password-stdin"},
      std::string(kAnalystPassword) + "\n", token);
  EXPECT_EQ(out.exit_code, 5) << out.out << out.err;
  EXPECT_NE(out.err.find("permission_denied"), std::string::npos) << out.err;
  // Nothing was created.
  client::ApiClient root = admin();
  const auto listed = root.get("/api/v1/users");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->body.find("mallory"), std::string::npos) << listed->body;
}

TEST_P(SentinelctlTest, UsageErrorsExit2) {
  // A missing required option, an unknown command and an option that does not exist.
  EXPECT_EQ(
      ctl_at_server({"users", "create", "--role", "viewer", "--password-stdin"}, "x\n").exit_code,
      2);
  EXPECT_EQ(ctl_at_server({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(ctl_at_server({"users", "list", "--no-such-option"}).exit_code, 2);
  EXPECT_EQ(ctl_at_server({"settings", "update"}).exit_code, 2);
}

SENTINEL_BOTH_BACKENDS(SentinelctlTest);

}  // namespace
}  // namespace sentinel::test
