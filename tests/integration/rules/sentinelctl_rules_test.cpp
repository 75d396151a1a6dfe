// sentinelctl rules list|reload against a real server whose detection.rules_dirs holds a rule
// file with a mistake: the analyst sees the file and line, fixes it, reloads, and the rule is in.

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "tests/integration/sentinelctl_fixture.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {
namespace {

namespace json = boost::json;

constexpr const char* kGoodRule = R"(title: Root login from the test network
id: it-local-root-login
status: test
logsource:
  product: linux
  service: sshd
detection:
  selection:
    user.name: root
    event.outcome: success
  condition: selection
level: high
)";

// Line 9, column 5 holds the unknown modifier.
constexpr const char* kBrokenRule = R"(title: Sudo to root by a test user
id: it-sudo-root
status: test
logsource:
  product: linux
  service: sudo
detection:
  selection:
    user.name|nosuchmodifier: tester
  condition: selection
level: low
)";

class SentinelctlRulesTest : public WithSentinelctl<ApiTest> {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(rules_dir());
    write_rule("local.yml", kGoodRule);
    write_rule("sudo.yml", kBrokenRule);
    start_server({"--set", "detection.rules_dirs=" + rules_dir().string()});
  }

  std::filesystem::path rules_dir() const { return files_.path() / "rules"; }

  void write_rule(const std::string& name, const std::string& text) {
    std::ofstream(rules_dir() / name, std::ios::trunc) << text;
  }

  /// The line of `text` that contains `needle`, or "" when none does.
  static std::string line_with(const std::string& text, const std::string& needle) {
    const std::size_t at = text.find(needle);
    if (at == std::string::npos) return "";
    const std::size_t begin = text.rfind('\n', at);
    const std::size_t end = text.find('\n', at);
    const std::size_t from = begin == std::string::npos ? 0 : begin + 1;
    return text.substr(from, end == std::string::npos ? std::string::npos : end - from);
  }

  TempDir files_{"sentinel-rules-it"};
};

TEST_P(SentinelctlRulesTest, ShowsProblemsWithFileAndLineUntilFixedAndReloaded) {
  const std::string broken_file = (rules_dir() / "sudo.yml").string();
  const std::string good_file = (rules_dir() / "local.yml").string();

  const CommandOutput listed = ctl({"rules", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("LEVEL"), std::string::npos) << listed.out;
  const std::string good_row = line_with(listed.out, "it-local-root-login");
  EXPECT_NE(good_row.find("high"), std::string::npos) << listed.out;
  EXPECT_NE(good_row.find("Root login from the test network"), std::string::npos) << listed.out;
  EXPECT_NE(good_row.find(good_file), std::string::npos) << listed.out;
  EXPECT_NE(good_row.find("enabled"), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.find("it-sudo-root"), std::string::npos) << "not loaded: " << listed.out;
  EXPECT_NE(listed.out.find("problems (1):"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find(broken_file + ":9:5: unknown modifier 'nosuchmodifier'"),
            std::string::npos)
      << listed.out;

  const CommandOutput as_json = ctl({"--output", "json", "rules", "list"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const json::value reply = parse(as_json);
  EXPECT_EQ(reply.at("problems").as_int64(), 1) << as_json.out;
  bool saw_good_rule = false;
  for (const json::value& rule : reply.at("rules").as_array()) {
    saw_good_rule = saw_good_rule || rule.at("id").as_string() == "it-local-root-login";
  }
  EXPECT_TRUE(saw_good_rule) << as_json.out;

  // A reload that still finds the mistake fails, and says where it is.
  const CommandOutput still_broken = ctl({"rules", "reload"});
  EXPECT_EQ(still_broken.exit_code, 1) << still_broken.out << still_broken.err;
  EXPECT_NE(still_broken.out.find("1 problem"), std::string::npos) << still_broken.out;
  EXPECT_NE(still_broken.out.find(broken_file + ":9:5: unknown modifier"), std::string::npos)
      << still_broken.out;

  std::string fixed = kBrokenRule;
  fixed.replace(fixed.find("|nosuchmodifier"), std::string("|nosuchmodifier").size(), "");
  write_rule("sudo.yml", fixed);
  const CommandOutput reloaded = ctl({"rules", "reload"});
  EXPECT_EQ(reloaded.exit_code, 0) << reloaded.out << reloaded.err;
  EXPECT_NE(reloaded.out.find("0 problems"), std::string::npos) << reloaded.out;
  EXPECT_EQ(reloaded.out.find(broken_file + ":"), std::string::npos) << reloaded.out;

  const CommandOutput after = ctl({"rules", "list"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  const std::string fixed_row = line_with(after.out, "it-sudo-root");
  EXPECT_NE(fixed_row.find("low"), std::string::npos) << after.out;
  EXPECT_NE(fixed_row.find(broken_file), std::string::npos) << after.out;
  EXPECT_EQ(after.out.find("problems ("), std::string::npos) << after.out;

  // Without a token the server refuses; the exit status tells a script why.
  auto anonymous_list =
      run_command({binary_path("sentinelctl"), "--server", server_->url(), "--ca-file",
                   server_->ca_file(), "rules", "list"},
                  {}, {{"SENTINEL_CONFIG_DIR", (files_.path() / "nobody").string()}});
  ASSERT_TRUE(anonymous_list) << anonymous_list.error().message;
  EXPECT_EQ(anonymous_list->exit_code, 4) << anonymous_list->err;
}

SENTINEL_BOTH_BACKENDS(SentinelctlRulesTest);

}  // namespace
}  // namespace sentinel::test
