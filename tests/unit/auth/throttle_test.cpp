// Brute-force throttling per account and per source address, lockout expiry and admin unlock.

#include "auth_test_fixture.h"
#include "src/auth/login_throttle.h"

namespace sentinel::auth {
namespace {

using ThrottleTest = AuthServiceTest;

TEST_P(ThrottleTest, FifthFailureLocksTheAccountWithAGrowingDelay) {
  make_user("bob", {"viewer"});
  for (int i = 0; i < 5; ++i) {
    // Each attempt from another address, so that only the account key counts.
    EXPECT_FALSE(
        login("bob", "wrong-password-x", std::nullopt, "198.51.100." + std::to_string(i)).result);
  }
  auto locked = login("bob", kUserPassword, std::nullopt, "198.51.100.99");
  ASSERT_FALSE(locked.result);
  EXPECT_EQ(locked.result.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(locked.result.error().client_code(), "locked_out");
  EXPECT_EQ(locked.retry_after_s, 30);

  clock_.advance_ms(30'000);
  EXPECT_FALSE(login("bob", "wrong-password-x", std::nullopt, "198.51.100.6").result);
  EXPECT_EQ(login("bob", kUserPassword, std::nullopt, "198.51.100.99").retry_after_s, 60);
  clock_.advance_ms(60'000);
  EXPECT_TRUE(login("bob", kUserPassword, std::nullopt, "198.51.100.99").result);
  // Success reset the account's counter.
  EXPECT_EQ(
      login("bob", "wrong-password-x", std::nullopt, "198.51.100.7").result.error().client_code(),
      "invalid_credentials");
}

TEST_P(ThrottleTest, AdminLockIsCappedAndExpires) {
  // A patient attacker from many addresses, guessing again as soon as each lock ends.
  for (int i = 0; i < 20; ++i) {
    const std::string source = "203.0.113." + std::to_string(i);
    auto outcome = login("admin", "guess-password-" + std::to_string(i), std::nullopt, source);
    if (outcome.retry_after_s > 0) {
      clock_.advance_ms(outcome.retry_after_s * 1000);
      outcome = login("admin", "guess-password-" + std::to_string(i), std::nullopt, source);
    }
    ASSERT_EQ(outcome.result.error().client_code(), "invalid_credentials") << i;
  }
  auto locked = login("admin", kAdminPassword, std::nullopt, "192.0.2.50");
  ASSERT_FALSE(locked.result);
  EXPECT_EQ(locked.retry_after_s, 15 * 60);  // capped, never longer
  clock_.advance_ms(locked.retry_after_s * 1000);
  EXPECT_TRUE(login("admin", kAdminPassword, std::nullopt, "192.0.2.50").result);
}

TEST_P(ThrottleTest, OneSourceIsLockedAcrossAccounts) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(
        login("user" + std::to_string(i), "wrong-password-x", std::nullopt, "198.51.100.1").result);
  }
  auto locked = login("admin", kAdminPassword, std::nullopt, "198.51.100.1");
  ASSERT_FALSE(locked.result);
  EXPECT_EQ(locked.result.error().client_code(), "locked_out");
  // Another address is not affected.
  EXPECT_TRUE(login("admin", kAdminPassword, std::nullopt, "198.51.100.2").result);
}

TEST_P(ThrottleTest, AnIpv6SourceIsItsWholeSlash64) {
  // One host with a /64 could otherwise take a fresh address for every guess.
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(login("user" + std::to_string(i), "wrong-password-x", std::nullopt,
                       "2001:db8:7:1:" + std::to_string(i + 1) + "::9")
                     .result);
  }
  auto locked = login("admin", kAdminPassword, std::nullopt, "2001:db8:7:1:ffff::1");
  ASSERT_FALSE(locked.result);
  EXPECT_EQ(locked.result.error().client_code(), "locked_out");
  // The neighbouring /64 is another source.
  EXPECT_TRUE(login("admin", kAdminPassword, std::nullopt, "2001:db8:7:2::1").result);
}

TEST(LoginThrottleKeyTest, Ipv4InAnySpellingIsOneSourceAndIpv6CountsByItsSlash64) {
  EXPECT_EQ(LoginThrottle::source_key("192.0.2.1"), "source:192.0.2.1");
  EXPECT_EQ(LoginThrottle::source_key("::ffff:192.0.2.1"), "source:192.0.2.1");
  EXPECT_NE(LoginThrottle::source_key("192.0.2.1"), LoginThrottle::source_key("192.0.2.2"));
  EXPECT_EQ(LoginThrottle::source_key("2001:db8:7:1:aaaa::1"), "source:2001:db8:7:1::/64");
  EXPECT_EQ(LoginThrottle::source_key("2001:DB8:7:1:bbbb:0:0:2"), "source:2001:db8:7:1::/64");
  EXPECT_EQ(LoginThrottle::source_key("::1"), "source:::/64");
  EXPECT_EQ(LoginThrottle::source_key("not an address"), "source:not an address");
}

TEST_P(ThrottleTest, FailuresOutsideTheWindowDoNotAddUp) {
  make_user("bob", {"viewer"});
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(login("bob", "wrong-password-x").result);
  clock_.advance_ms(16 * 60 * 1000);
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(login("bob", "wrong-password-x").result);
  EXPECT_TRUE(login("bob", kUserPassword).result);
}

TEST_P(ThrottleTest, AdminUnlockLiftsTheAccountLock) {
  const UserView bob = make_user("bob", {"viewer"});
  for (int i = 0; i < 12; ++i) {
    login("bob", "wrong-password-x", std::nullopt, "198.51.100." + std::to_string(i));
    clock_.advance_ms(1000);
  }
  ASSERT_EQ(login("bob", kUserPassword, std::nullopt, "192.0.2.77").result.error().client_code(),
            "locked_out");
  ASSERT_TRUE(service_->unlock_user(admin_, bob.id, client_));
  EXPECT_TRUE(login("bob", kUserPassword, std::nullopt, "192.0.2.77").result);
  auto entries = audit_->list({.limit = 5, .action_prefix = "user.unlock"});
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ(entries->front().record.actor, "admin");
}

INSTANTIATE_TEST_SUITE_P(Backends, ThrottleTest, ::testing::ValuesIn(test::kBackends));

}  // namespace
}  // namespace sentinel::auth
