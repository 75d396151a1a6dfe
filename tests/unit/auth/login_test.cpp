// Login, sessions and their expiry, on SQLite and PostgreSQL.

#include "auth_test_fixture.h"

namespace sentinel::auth {
namespace {

using LoginTest = AuthServiceTest;

TEST_P(LoginTest, CorrectPasswordStartsASession) {
  auto outcome = login("admin", kAdminPassword);
  ASSERT_TRUE(outcome.result) << outcome.result.error().message;
  const LoginResult& result = *outcome.result;
  EXPECT_EQ(result.identity.user.username, "admin");
  EXPECT_TRUE(result.identity.permissions.count("users:write"));
  EXPECT_EQ(result.expires_at_ms, kStartMs + 12 * 3600 * 1000);
  EXPECT_FALSE(result.csrf_token.empty());
  const Principal principal = principal_of(result);
  EXPECT_EQ(principal.username, "admin");
  EXPECT_EQ(principal.kind, CredentialKind::kSession);
  EXPECT_EQ(principal.csrf_token.reveal(), result.csrf_token.reveal());
  EXPECT_TRUE(principal.has("users:write"));
}

TEST_P(LoginTest, EveryLoginGetsANewSessionId) {
  auto first = login("admin", kAdminPassword);
  auto second = login("admin", kAdminPassword);
  ASSERT_TRUE(first.result && second.result);
  EXPECT_NE(first.result->session_token.reveal(), second.result->session_token.reveal());
  EXPECT_NE(first.result->csrf_token.reveal(), second.result->csrf_token.reveal());
}

TEST_P(LoginTest, WrongPasswordAndUnknownUserGetTheSameAnswer) {
  auto wrong = login("admin", "not-the-password-1");
  auto unknown = login("nobody", "not-the-password-1");
  ASSERT_FALSE(wrong.result);
  ASSERT_FALSE(unknown.result);
  EXPECT_EQ(wrong.result.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.result.error().client_code(), "invalid_credentials");
  EXPECT_EQ(unknown.result.error().client_code(), "invalid_credentials");
  EXPECT_EQ(wrong.result.error().message, unknown.result.error().message);
}

TEST_P(LoginTest, SessionExpiresAfterIdleTime) {
  auto outcome = login("admin", kAdminPassword);
  ASSERT_TRUE(outcome.result);
  const Secret token = outcome.result->session_token;
  clock_.advance_ms(29 * 60 * 1000);
  EXPECT_TRUE(service_->authenticate_session(token, "192.0.2.1"));  // touches last-seen
  clock_.advance_ms(29 * 60 * 1000);
  EXPECT_TRUE(service_->authenticate_session(token, "192.0.2.1"));
  clock_.advance_ms(31 * 60 * 1000);
  auto expired = service_->authenticate_session(token, "192.0.2.1");
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kUnauthenticated);
}

TEST_P(LoginTest, SessionExpiresAtItsAbsoluteLifetimeEvenWhenActive) {
  auto outcome = login("admin", kAdminPassword);
  ASSERT_TRUE(outcome.result);
  const Secret token = outcome.result->session_token;
  for (int i = 0; i < 35; ++i) {  // a request every 20 min for 11 h 40 min
    clock_.advance_ms(20 * 60 * 1000);
    ASSERT_TRUE(service_->authenticate_session(token, "192.0.2.1")) << i;
  }
  clock_.advance_ms(20 * 60 * 1000);  // 12 h after login
  EXPECT_FALSE(service_->authenticate_session(token, "192.0.2.1"));
}

TEST_P(LoginTest, LogoutEndsTheSession) {
  auto outcome = login("admin", kAdminPassword);
  ASSERT_TRUE(outcome.result);
  const Principal principal = principal_of(*outcome.result);
  ASSERT_TRUE(service_->logout(principal, client_));
  EXPECT_FALSE(service_->authenticate_session(outcome.result->session_token, "192.0.2.1"));
  EXPECT_TRUE(service_->authenticate_session(Secret("garbage"), "192.0.2.1").error().code ==
              ErrorCode::kUnauthenticated);
}

TEST_P(LoginTest, DisabledUserIsRefusedAndLosesSessionsAndTokensAtOnce) {
  const UserView bob = make_user("bob", {"analyst"});
  auto outcome = login("bob", kUserPassword);
  ASSERT_TRUE(outcome.result);
  const Principal session = principal_of(*outcome.result);
  auto token = service_->create_token(session, {"script", std::nullopt, std::nullopt}, client_);
  ASSERT_TRUE(token) << token.error().message;
  ASSERT_TRUE(service_->authenticate_token(token->token, "192.0.2.1"));

  UserUpdate disable;
  disable.disabled = true;
  ASSERT_TRUE(service_->update_user(admin_, bob.id, disable, client_));
  EXPECT_FALSE(service_->authenticate_session(outcome.result->session_token, "192.0.2.1"));
  EXPECT_FALSE(service_->authenticate_token(token->token, "192.0.2.1"));
  EXPECT_EQ(login("bob", kUserPassword).result.error().client_code(), "invalid_credentials");
}

TEST_P(LoginTest, DeletedUserLosesSessionsAndTokensAtOnce) {
  const UserView bob = make_user("bob", {"viewer"});
  auto outcome = login("bob", kUserPassword);
  ASSERT_TRUE(outcome.result);
  auto token =
      service_->create_token(principal_of(*outcome.result), {"script", 30, std::nullopt}, client_);
  ASSERT_TRUE(token);
  ASSERT_TRUE(service_->delete_user(admin_, bob.id, client_));
  EXPECT_FALSE(service_->authenticate_session(outcome.result->session_token, "192.0.2.1"));
  EXPECT_FALSE(service_->authenticate_token(token->token, "192.0.2.1"));
  EXPECT_EQ(service_->get_user(bob.id).error().code, ErrorCode::kNotFound);
}

TEST_P(LoginTest, ChangingThePasswordEndsOtherSessions) {
  make_user("bob", {"viewer"});
  auto first = login("bob", kUserPassword);
  auto second = login("bob", kUserPassword);
  ASSERT_TRUE(first.result && second.result);
  const Principal current = principal_of(*second.result);
  EXPECT_EQ(service_
                ->change_password(current, Secret("wrong-password-123"),
                                  Secret("another-long-passphrase"), client_)
                .error()
                .field,
            "current_password");
  ASSERT_TRUE(service_->change_password(current, Secret(std::string(kUserPassword)),
                                        Secret("another-long-passphrase"), client_));
  EXPECT_FALSE(service_->authenticate_session(first.result->session_token, "192.0.2.1"));
  EXPECT_TRUE(service_->authenticate_session(second.result->session_token, "192.0.2.1"));
  EXPECT_TRUE(login("bob", "another-long-passphrase").result);
}

TEST_P(LoginTest, SessionsAreListedAndRevokedByOwnerOrSessionAdmin) {
  make_user("bob", {"viewer"});
  make_user("carol", {"viewer"});
  const Principal bob = session_for("bob");
  const Principal carol = session_for("carol");
  auto own = service_->list_sessions(bob, false);
  ASSERT_TRUE(own);
  ASSERT_EQ(own->size(), 1u);
  EXPECT_TRUE(own->front().current);
  EXPECT_EQ(own->front().user_agent, "test-agent");
  EXPECT_EQ(service_->list_sessions(bob, true).error().code, ErrorCode::kPermissionDenied);

  const std::int64_t carol_session = std::stoll(carol.credential_id);
  EXPECT_EQ(service_->revoke_session(bob, carol_session, client_).error().code,
            ErrorCode::kNotFound);
  auto all = service_->list_sessions(admin_, true);
  ASSERT_TRUE(all);
  EXPECT_GE(all->size(), 3u);
  ASSERT_TRUE(service_->revoke_session(admin_, carol_session, client_));
  auto remaining = service_->list_sessions(admin_, true);
  ASSERT_TRUE(remaining);
  EXPECT_EQ(remaining->size(), all->size() - 1);
}

TEST_P(LoginTest, BootstrapHappensOnlyOnAnEmptyUserTable) {
  auto again = service_->ensure_admin(std::nullopt);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->has_value());
}

TEST_P(LoginTest, LoginsAreAuditedWithoutSecrets) {
  ASSERT_FALSE(login("admin", "wrong-password-xyz").result);
  auto entries = audit_->list({.limit = 10, .action_prefix = "auth.login"});
  ASSERT_TRUE(entries);
  ASSERT_GE(entries->size(), 2u);
  EXPECT_EQ(entries->front().record.outcome, "failure");
  EXPECT_EQ(entries->front().record.source_address, "192.0.2.1");
  for (const auto& entry : *entries) {
    EXPECT_EQ(entry.record.details_json.find("wrong-password"), std::string::npos);
  }
  EXPECT_NE(metrics_.render().find("sentinel_logins_total{outcome=\"success\"}"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, LoginTest, ::testing::ValuesIn(test::kBackends));

}  // namespace
}  // namespace sentinel::auth
