// The non-blocking answers the gateway serves on its I/O thread (cached_session, cached_token,
// cached_identity): the same as the blocking calls, and gone as soon as a change is made.

#include "auth_test_fixture.h"

namespace sentinel::auth {
namespace {

using CachedCredentialsTest = AuthServiceTest;

TEST_P(CachedCredentialsTest, ATokenIsCachedOnlyAfterItWasCheckedAndUntilItIsRevoked) {
  auto token = service_->create_token(admin_, {"script", std::nullopt, std::nullopt}, client_);
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_FALSE(service_->cached_token(token->token));  // never checked against the database yet
  auto checked = service_->authenticate_token(token->token, "192.0.2.1");
  ASSERT_TRUE(checked) << checked.error().message;
  auto cached = service_->cached_token(token->token);
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->username, "admin");
  EXPECT_EQ(cached->kind, CredentialKind::kApiToken);
  EXPECT_EQ(cached->permissions, checked->permissions);
  EXPECT_EQ(cached->credential_id, checked->credential_id);
  EXPECT_FALSE(service_->cached_token(Secret("sst_made-up")));
  EXPECT_FALSE(service_->cached_token(Secret("not-a-token")));

  ASSERT_TRUE(service_->revoke_token(admin_, token->view.id, client_));
  EXPECT_FALSE(service_->cached_token(token->token));
  EXPECT_FALSE(service_->authenticate_token(token->token, "192.0.2.1"));
}

TEST_P(CachedCredentialsTest, ASessionIsCachedForTheCacheLifetimeAndEndsWhenItsUserIsDisabled) {
  const UserView ana = make_user("ana", {"viewer"});
  auto outcome = login("ana", kUserPassword);
  ASSERT_TRUE(outcome.result) << outcome.result.error().message;
  const Secret& session = outcome.result->session_token;
  const Principal checked = principal_of(*outcome.result);
  auto cached = service_->cached_session(session);
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->username, "ana");
  EXPECT_EQ(cached->csrf_token.reveal(), checked.csrf_token.reveal());
  EXPECT_FALSE(service_->cached_session(Secret("")));

  clock_.advance_ms(1000);  // the default cache lifetime: loaded afresh from now on
  EXPECT_FALSE(service_->cached_session(session));
  ASSERT_TRUE(service_->authenticate_session(session, "192.0.2.1"));
  ASSERT_TRUE(service_->cached_session(session));

  UserUpdate disable;
  disable.disabled = true;
  ASSERT_TRUE(service_->update_user(admin_, ana.id, disable, client_));
  EXPECT_FALSE(service_->cached_session(session));
  EXPECT_FALSE(service_->authenticate_session(session, "192.0.2.1"));
}

TEST_P(CachedCredentialsTest, TheIdentityIsCachedAfterAReadAndShowsAChangeAtOnce) {
  const UserView ana = make_user("ana", {"viewer"});
  const Principal caller = session_for("ana");
  EXPECT_FALSE(service_->cached_identity(caller));
  auto read = service_->identity(caller);
  ASSERT_TRUE(read) << read.error().message;
  auto cached = service_->cached_identity(caller);
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->user.username, "ana");
  EXPECT_EQ(cached->user.display_name, read->user.display_name);
  EXPECT_EQ(cached->user.roles, read->user.roles);
  EXPECT_EQ(cached->user.updated_at_ms, read->user.updated_at_ms);
  EXPECT_EQ(cached->permissions, caller.permissions);

  UserUpdate rename;
  rename.display_name = "Ana Lyst";
  ASSERT_TRUE(service_->update_user(admin_, ana.id, rename, client_));
  EXPECT_FALSE(service_->cached_identity(caller));
  auto reread = service_->identity(caller);
  ASSERT_TRUE(reread);
  EXPECT_EQ(reread->user.display_name, "Ana Lyst");
  ASSERT_TRUE(service_->cached_identity(caller));
  EXPECT_EQ(service_->cached_identity(caller)->user.display_name, "Ana Lyst");

  clock_.advance_ms(1000);
  EXPECT_FALSE(service_->cached_identity(caller));
}

INSTANTIATE_TEST_SUITE_P(Backends, CachedCredentialsTest, ::testing::ValuesIn(test::kBackends));

}  // namespace
}  // namespace sentinel::auth
