// sentinelctl agents ... against a real server, as a script or an admin at a terminal uses it.

#include <boost/json.hpp>

#include "tests/integration/agents/agents_api_support.h"
#include "tests/integration/sentinelctl_fixture.h"

namespace sentinel::test {
namespace {

namespace json = boost::json;

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

class SentinelctlAgentsTest : public WithSentinelctl<AgentsApiTest> {
 protected:
};

TEST_P(SentinelctlAgentsTest, EnrolListShowLabelRevokeAndDelete) {
  // A script captures the token alone.
  const CommandOutput token = ctl({"agents", "enroll-token", "--group", "web", "--label",
                                   "env=prod", "--label", "note=a,b", "--expires-in", "30"});
  ASSERT_EQ(token.exit_code, 0) << token.err;
  const std::string text = trimmed(token.out);
  EXPECT_EQ(text.find('\n'), std::string::npos) << "only the token on stdout: " << token.out;
  EXPECT_EQ(text.rfind("se1.", 0), 0u) << text;

  const CommandOutput as_json = ctl({"--output", "json", "agents", "enroll-token"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const json::value reply = parse(as_json);
  EXPECT_NE(std::string(reply.at("command").as_string()).find("--enroll-token se1."),
            std::string::npos);

  const client::HttpReply enrolled = enroll(text, "web-7");
  ASSERT_EQ(enrolled.status, 201) << enrolled.body;
  const std::string id(body_of(enrolled).at("agent_id").as_string());

  const CommandOutput listed = ctl({"agents", "list", "--status", "offline", "--label", "env=prod",
                                    "--group", "web", "--search", "WEB"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("HOSTNAME"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find(id), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("web-7"), std::string::npos);
  EXPECT_NE(listed.out.find("env=prod"), std::string::npos);
  const CommandOutput none = ctl({"agents", "list", "--status", "online"});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out.find(id), std::string::npos) << none.out;

  const CommandOutput shown = ctl({"agents", "show", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("status:"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("offline"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("note=a,b"), std::string::npos) << "commas in values survive";
  EXPECT_NE(shown.out.find("certificate_serial:"), std::string::npos) << shown.out;

  const CommandOutput labelled =
      ctl({"--output", "json", "agents", "label", id, "role=db", "--remove", "env"});
  ASSERT_EQ(labelled.exit_code, 0) << labelled.err;
  EXPECT_EQ(parse(labelled).at("labels"),
            json::value(json::object{{"note", "a,b"}, {"role", "db"}}));
  EXPECT_EQ(ctl({"agents", "label", id, "no-equals-sign"}).exit_code, 2);

  const CommandOutput tokens = ctl({"agents", "tokens"});
  ASSERT_EQ(tokens.exit_code, 0) << tokens.err;
  EXPECT_NE(tokens.out.find(" used "), std::string::npos) << tokens.out;
  EXPECT_NE(tokens.out.find(id), std::string::npos) << "the agent a token made" << tokens.out;
  EXPECT_NE(tokens.out.find("unused"), std::string::npos) << tokens.out;
  EXPECT_EQ(tokens.out.find("se1."), std::string::npos) << "token texts are never listed";

  const CommandOutput revoked = ctl({"agents", "revoke", id});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_NE(revoked.out.find("revoked"), std::string::npos);
  EXPECT_NE(ctl({"agents", "show", id}).out.find("revoked"), std::string::npos);

  const CommandOutput deleted = ctl({"agents", "delete", id});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  const CommandOutput gone = ctl({"agents", "show", id});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.err.find("not_found"), std::string::npos) << gone.err;
}

SENTINEL_BOTH_BACKENDS(SentinelctlAgentsTest);

}  // namespace
}  // namespace sentinel::test
