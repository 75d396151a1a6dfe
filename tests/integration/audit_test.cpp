// The audit log records security actions; tampering with one row is found by `sentinelctl audit
// verify`, which names the first broken entry.

#include <gtest/gtest.h>

#include "sentinel/store/database.h"
#include "tests/integration/api_fixture.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

using boost::json::object;

class AuditTest : public ApiTest {
 protected:
  /// sentinelctl with an admin API token against this server.
  CommandOutput ctl(const std::vector<std::string>& args) {
    if (token_.empty()) {
      client::ApiClient root = admin();
      auto created = root.post("/api/v1/tokens", object{{"name", "audit-test"}});
      EXPECT_TRUE(created && created->status == 201);
      token_ = std::string(body_of(*created).at("token").as_string());
    }
    std::vector<std::string> argv = {binary_path("sentinelctl"), "--server", server_->url(),
                                     "--ca-file", server_->ca_file()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto out = run_command(argv, {}, {{"SENTINEL_TOKEN", token_}});
    EXPECT_TRUE(out) << out.error().message;
    return out ? *out : CommandOutput{};
  }

  /// A few audited actions: logins (ok and failed), a user, a token.
  void make_history() {
    client::ApiClient root = admin();
    login(root, "admin", "wrong-password-for-audit");
    create_user(root, "audited-user", "Recorded-Person-Secret-42", "viewer");
    login(root, "admin", kAdminPassword);
  }

  std::unique_ptr<store::Database> database() {
    auto db = store::open_database(server_->database_url());
    EXPECT_TRUE(db) << db.error().message;
    return db ? std::move(*db) : nullptr;
  }

  std::string token_;
};

TEST_P(AuditTest, SecurityActionsAreRecordedWithActorSourceAndOutcome) {
  make_history();
  client::ApiClient root = admin();
  auto reply = root.get("/api/v1/audit?limit=100");
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->status, 200) << reply->body;
  bool failed_login = false, user_created = false;
  const boost::json::value document = body_of(*reply);
  for (const auto& item : document.at("items").as_array()) {
    const auto& entry = item.as_object();
    const std::string action(entry.at("action").as_string());
    const std::string outcome(entry.at("outcome").as_string());
    if (action == "auth.login" && outcome == "failure") {
      failed_login = true;
      EXPECT_EQ(entry.at("source_address").as_string(), "127.0.0.1");
    }
    // The first admin is created by "system"; the test's user by admin.
    if (action == "user.create" && outcome == "success" &&
        entry.at("actor").as_string() == "admin") {
      user_created = true;
    }
    EXPECT_EQ(item.as_object().at("details").is_object(), true);
  }
  EXPECT_TRUE(failed_login) << reply->body;
  EXPECT_TRUE(user_created) << reply->body;
  EXPECT_EQ(reply->body.find(kAdminPassword), std::string::npos)
      << "a secret reached the audit log";
}

TEST_P(AuditTest, EditingOneRowIsDetectedAndNamed) {
  make_history();
  const CommandOutput intact = ctl({"audit", "verify"});
  EXPECT_EQ(intact.exit_code, 0) << intact.out << intact.err;

  auto db = database();
  ASSERT_TRUE(db);
  auto edited =
      db->execute("UPDATE audit_log SET actor = $1 WHERE seq = 3", {std::string("mallory")});
  ASSERT_TRUE(edited) << edited.error().message;
  ASSERT_EQ(*edited, 1);

  const CommandOutput broken = ctl({"audit", "verify"});
  EXPECT_EQ(broken.exit_code, 1) << broken.out << broken.err;
  EXPECT_NE((broken.out + broken.err).find("3"), std::string::npos) << broken.out << broken.err;

  const CommandOutput json = ctl({"--output", "json", "audit", "verify"});
  auto parsed = boost::json::parse(json.out);
  EXPECT_EQ(parsed.at("intact").as_bool(), false);
  EXPECT_EQ(parsed.at("first_broken_seq").to_number<std::int64_t>(), 3);
}

TEST_P(AuditTest, DeletingOneRowIsDetectedAndNamed) {
  make_history();
  auto db = database();
  ASSERT_TRUE(db);
  auto deleted = db->execute("DELETE FROM audit_log WHERE seq = 2");
  ASSERT_TRUE(deleted) << deleted.error().message;
  ASSERT_EQ(*deleted, 1);

  const CommandOutput json = ctl({"--output", "json", "audit", "verify"});
  EXPECT_EQ(json.exit_code, 1) << json.out << json.err;
  auto parsed = boost::json::parse(json.out);
  EXPECT_EQ(parsed.at("intact").as_bool(), false);
  const auto first = parsed.at("first_broken_seq").to_number<std::int64_t>();
  EXPECT_TRUE(first == 2 || first == 3) << json.out;  // the gap sits between 1 and 3
}

SENTINEL_BOTH_BACKENDS(AuditTest);

}  // namespace
}  // namespace sentinel::test
