// TOTP enrolment and login with codes computed independently (totp::code_at), recovery codes,
// and the 2FA requirement per role.

#include <gmock/gmock.h>

#include "auth_test_fixture.h"
#include "sentinel/auth/totp.h"

namespace sentinel::auth {
namespace {

class TotpLoginTest : public AuthServiceTest {
 protected:
  /// Enrols `principal`'s user; returns the raw secret and fills `recovery_codes`.
  std::string enrol(const Principal& principal, std::vector<Secret>& recovery_codes) {
    auto setup = service_->begin_totp_setup(principal, client_);
    EXPECT_TRUE(setup) << setup.error().message;
    if (!setup) return {};
    EXPECT_EQ(setup->otpauth_uri.reveal().rfind("otpauth://totp/SentinelSecure:", 0), 0u);
    auto secret = totp::base32_decode(setup->secret_base32.reveal());
    EXPECT_TRUE(secret);
    auto codes = service_->confirm_totp(principal, totp::code_at(*secret, clock_.now_s()), client_);
    EXPECT_TRUE(codes) << codes.error().message;
    if (codes) recovery_codes = *codes;
    return *secret;
  }
};

TEST_P(TotpLoginTest, EnrolledUserNeedsACurrentCodeThatWorksOnce) {
  make_user("bob", {"analyst"});
  std::vector<Secret> recovery;
  const std::string secret = enrol(session_for("bob"), recovery);
  ASSERT_EQ(recovery.size(), 10u);

  EXPECT_EQ(login("bob", kUserPassword).result.error().client_code(), "totp_required");
  clock_.advance_ms(60 * 1000);  // two steps later than the confirmation code
  const std::string code = totp::code_at(secret, clock_.now_s());
  const std::string wrong = code == "000000" ? "111111" : "000000";
  EXPECT_EQ(login("bob", kUserPassword, wrong).result.error().client_code(), "invalid_totp");
  EXPECT_TRUE(login("bob", kUserPassword, code).result);
  // The same code again, and an older one, are replays.
  EXPECT_EQ(login("bob", kUserPassword, code).result.error().client_code(), "invalid_totp");
  EXPECT_EQ(login("bob", kUserPassword, totp::code_at(secret, clock_.now_s() - 30))
                .result.error()
                .client_code(),
            "invalid_totp");
  clock_.advance_ms(30 * 1000);
  EXPECT_TRUE(login("bob", kUserPassword, totp::code_at(secret, clock_.now_s())).result);
}

TEST_P(TotpLoginTest, WrongPasswordWithRightCodeIsStillInvalidCredentials) {
  make_user("bob", {"viewer"});
  std::vector<Secret> recovery;
  const std::string secret = enrol(session_for("bob"), recovery);
  clock_.advance_ms(30 * 1000);
  EXPECT_EQ(login("bob", "not-bobs-password", totp::code_at(secret, clock_.now_s()))
                .result.error()
                .client_code(),
            "invalid_credentials");
}

TEST_P(TotpLoginTest, RecoveryCodeWorksExactlyOnce) {
  make_user("bob", {"viewer"});
  std::vector<Secret> recovery;
  enrol(session_for("bob"), recovery);
  ASSERT_EQ(recovery.size(), 10u);
  const std::string code = recovery[3].reveal();
  EXPECT_EQ(code.size(), 14u);
  EXPECT_EQ(code[4], '-');
  EXPECT_TRUE(login("bob", kUserPassword, code).result);
  EXPECT_EQ(login("bob", kUserPassword, code).result.error().client_code(), "invalid_totp");
  EXPECT_TRUE(login("bob", kUserPassword, recovery[4].reveal()).result);
}

TEST_P(TotpLoginTest, AdminResetTurnsTwoFactorOff) {
  const UserView bob = make_user("bob", {"viewer"});
  std::vector<Secret> recovery;
  enrol(session_for("bob"), recovery);
  EXPECT_EQ(login("bob", kUserPassword).result.error().client_code(), "totp_required");
  ASSERT_TRUE(service_->reset_totp(admin_, bob.id, client_));
  EXPECT_TRUE(login("bob", kUserPassword).result);
}

TEST_P(TotpLoginTest, RoleRequiringTwoFactorRestrictsTheSessionUntilEnrolment) {
  make_user("bob", {"analyst"});
  ASSERT_TRUE(service_->update_settings(admin_, {{"analyst"}}, client_));
  auto outcome = login("bob", kUserPassword);
  ASSERT_TRUE(outcome.result);
  EXPECT_TRUE(outcome.result->identity.totp_enrollment_required);
  EXPECT_TRUE(outcome.result->identity.permissions.empty());
  const Principal restricted = principal_of(*outcome.result);
  EXPECT_TRUE(restricted.totp_enrollment_required);
  EXPECT_TRUE(restricted.permissions.empty());
  EXPECT_EQ(
      service_->create_token(restricted, {"x", std::nullopt, std::nullopt}, client_).error().code,
      ErrorCode::kPermissionDenied);

  std::vector<Secret> recovery;
  enrol(restricted, recovery);
  const Principal full = principal_of(*outcome.result);
  EXPECT_FALSE(full.totp_enrollment_required);
  EXPECT_TRUE(full.has("alerts:write"));
  // The role's requirement keeps 2FA on.
  EXPECT_EQ(service_->disable_totp(full, Secret(std::string(kUserPassword)), client_).error().code,
            ErrorCode::kPermissionDenied);
}

TEST_P(TotpLoginTest, DisablingOwnTwoFactorNeedsThePassword) {
  make_user("bob", {"viewer"});
  const Principal bob = session_for("bob");
  std::vector<Secret> recovery;
  enrol(bob, recovery);
  EXPECT_EQ(service_->disable_totp(bob, Secret("wrong-password-1"), client_).error().field,
            "password");
  ASSERT_TRUE(service_->disable_totp(bob, Secret(std::string(kUserPassword)), client_));
  EXPECT_TRUE(login("bob", kUserPassword).result);
}

TEST_P(TotpLoginTest, ApiTokensCannotEnrolTwoFactor) {
  make_user("bob", {"viewer"});
  auto token =
      service_->create_token(session_for("bob"), {"ci", std::nullopt, std::nullopt}, client_);
  ASSERT_TRUE(token);
  auto principal = service_->authenticate_token(token->token, "192.0.2.1");
  ASSERT_TRUE(principal);
  EXPECT_EQ(service_->begin_totp_setup(*principal, client_).error().code,
            ErrorCode::kPermissionDenied);
}

TEST_P(TotpLoginTest, ATokenMadeBeforeItsUsersRoleRequiredTwoFactorWaitsForEnrolment) {
  make_user("bob", {"analyst"});
  const Principal bob = session_for("bob");
  auto token = service_->create_token(bob, {"ci", std::nullopt, std::nullopt}, client_);
  ASSERT_TRUE(token) << token.error().message;
  ASSERT_TRUE(service_->authenticate_token(token->token, "192.0.2.1"));

  // Now the role requires a second factor: a login of bob's gets only an enrolment session, and
  // the token nothing at all (it would be a way around the requirement).
  ASSERT_TRUE(service_->update_settings(admin_, {{"analyst"}}, client_));
  auto refused = service_->authenticate_token(token->token, "192.0.2.1");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated);
  EXPECT_THAT(refused.error().message, ::testing::HasSubstr("two-factor authentication first"));

  std::vector<Secret> recovery;
  enrol(bob, recovery);
  auto again = service_->authenticate_token(token->token, "192.0.2.1");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->has("alerts:write"));
}

INSTANTIATE_TEST_SUITE_P(Backends, TotpLoginTest, ::testing::ValuesIn(test::kBackends));

}  // namespace
}  // namespace sentinel::auth
