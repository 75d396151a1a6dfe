// API tokens: permission subsets, narrowing by current roles, expiry, revocation.

#include "auth_test_fixture.h"

namespace sentinel::auth {
namespace {

using TokenTest = AuthServiceTest;

TEST_P(TokenTest, TokenCarriesOnlyARequestedSubset) {
  make_user("ana", {"analyst"});
  const Principal ana = session_for("ana");
  auto token = service_->create_token(
      ana, {"reader", 30, std::vector<std::string>{"alerts:read", "events:read"}}, client_);
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(token->token.reveal().rfind("sst_", 0), 0u);
  EXPECT_EQ(*token->view.expires_at_ms, kStartMs + 30LL * 24 * 3600 * 1000);
  auto principal = service_->authenticate_token(token->token, "192.0.2.1");
  ASSERT_TRUE(principal);
  EXPECT_EQ(principal->kind, CredentialKind::kApiToken);
  EXPECT_EQ(principal->permissions,
            (std::set<std::string, std::less<>>{"alerts:read", "events:read"}));
}

TEST_P(TokenTest, PermissionsBeyondTheCallersAreRefused) {
  make_user("ana", {"analyst"});
  const Principal ana = session_for("ana");
  auto escalation = service_->create_token(
      ana, {"x", std::nullopt, std::vector<std::string>{"users:write"}}, client_);
  ASSERT_FALSE(escalation);
  EXPECT_EQ(escalation.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(escalation.error().field, "permissions");
  auto unknown = service_->create_token(
      ana, {"x", std::nullopt, std::vector<std::string>{"root:everything"}}, client_);
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(TokenTest, TokenPermissionsShrinkWithTheUsersRoles) {
  const UserView ana = make_user("ana", {"analyst"});
  auto token =
      service_->create_token(session_for("ana"), {"all", std::nullopt, std::nullopt}, client_);
  ASSERT_TRUE(token);
  ASSERT_TRUE(service_->authenticate_token(token->token, "")->has("alerts:write"));
  UserUpdate demote;
  demote.roles = std::vector<std::string>{"viewer"};
  ASSERT_TRUE(service_->update_user(admin_, ana.id, demote, client_));
  auto principal = service_->authenticate_token(token->token, "");
  ASSERT_TRUE(principal);
  EXPECT_FALSE(principal->has("alerts:write"));
  EXPECT_TRUE(principal->has("alerts:read"));
}

TEST_P(TokenTest, ExpiredRevokedAndUnknownTokensAreRefused) {
  make_user("ana", {"viewer"});
  const Principal ana = session_for("ana");
  auto token = service_->create_token(ana, {"short", 1, std::nullopt}, client_);
  ASSERT_TRUE(token);
  auto other = service_->create_token(ana, {"other", std::nullopt, std::nullopt}, client_);
  ASSERT_TRUE(other);
  EXPECT_FALSE(service_->authenticate_token(Secret("sst_made-up"), ""));
  EXPECT_FALSE(service_->authenticate_token(Secret(ana.csrf_token.reveal()), ""));
  clock_.advance_ms(24LL * 3600 * 1000);
  EXPECT_FALSE(service_->authenticate_token(token->token, ""));

  ASSERT_TRUE(service_->revoke_token(ana, other->view.id, client_));
  EXPECT_FALSE(service_->authenticate_token(other->token, ""));
  auto listed = service_->list_tokens(ana, false);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_TRUE(listed->front().revoked);
}

TEST_P(TokenTest, OthersTokensNeedTokensAdmin) {
  make_user("ana", {"viewer"});
  make_user("bob", {"viewer"});
  const Principal ana = session_for("ana");
  const Principal bob = session_for("bob");
  auto token = service_->create_token(ana, {"mine", std::nullopt, std::nullopt}, client_);
  ASSERT_TRUE(token);
  EXPECT_EQ(service_->revoke_token(bob, token->view.id, client_).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(service_->list_tokens(bob, true).error().code, ErrorCode::kPermissionDenied);
  EXPECT_TRUE(service_->authenticate_token(token->token, ""));
  auto everyone = service_->list_tokens(admin_, true);
  ASSERT_TRUE(everyone);
  EXPECT_EQ(everyone->size(), 1u);
  ASSERT_TRUE(service_->revoke_token(admin_, token->view.id, client_));
  EXPECT_FALSE(service_->authenticate_token(token->token, ""));
}

TEST_P(TokenTest, LastUsedIsRecorded) {
  make_user("ana", {"viewer"});
  const Principal ana = session_for("ana");
  auto token = service_->create_token(ana, {"ci", std::nullopt, std::nullopt}, client_);
  ASSERT_TRUE(token);
  EXPECT_FALSE(token->view.last_used_at_ms);
  clock_.advance_ms(10000);
  ASSERT_TRUE(service_->authenticate_token(token->token, ""));
  auto listed = service_->list_tokens(ana, false);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->front().last_used_at_ms, std::optional<std::int64_t>(kStartMs + 10000));
}

INSTANTIATE_TEST_SUITE_P(Backends, TokenTest, ::testing::ValuesIn(test::kBackends));

}  // namespace
}  // namespace sentinel::auth
