#include "sentinel/auth/password_policy.h"

#include <gtest/gtest.h>

#include "sentinel/auth/password_hasher.h"

namespace sentinel::auth {
namespace {

Status check(std::string password, std::string_view username = "alice") {
  return check_password_policy(Secret(std::move(password)), username);
}

TEST(PasswordPolicy, LengthCountsCodePointsNotBytes) {
  EXPECT_FALSE(check("short-pass1"));  // 11
  EXPECT_TRUE(check("short-pass12"));  // 12
  // Eleven two-byte characters are 22 bytes but only 11 code points.
  const Status eleven = check("ééééééééééé");
  ASSERT_FALSE(eleven);
  EXPECT_EQ(eleven.error().field, "password");
  EXPECT_TRUE(check("éééééééééééé"));
  EXPECT_TRUE(check(std::string(1024, 'x') + ""));
  EXPECT_FALSE(check(std::string(1025, 'x')));
}

TEST(PasswordPolicy, CommonPasswordsAreRefusedInAnyCase) {
  EXPECT_TRUE(is_common_password("passwordpassword"));
  EXPECT_TRUE(is_common_password("QwertyUiopAsdf"));
  const Status common = check("123456789012");
  ASSERT_FALSE(common);
  EXPECT_EQ(common.error().field, "password");
  EXPECT_NE(common.error().message.find("common"), std::string::npos);
}

TEST(PasswordPolicy, PasswordMustNotContainTheUsername) {
  EXPECT_FALSE(check("my-Alice-password", "alice"));
  EXPECT_FALSE(check("administrator-x", "Administrator-X"));
  EXPECT_TRUE(check("my-bob-password!", "alice"));
}

TEST(PasswordPolicy, UsernamesAreShortAndPlain) {
  EXPECT_TRUE(check_username("alice.o_n-1"));
  EXPECT_FALSE(check_username(""));
  EXPECT_FALSE(check_username(std::string(65, 'a')));
  EXPECT_FALSE(check_username("alice smith"));
  EXPECT_FALSE(check_username("al/ice"));
  EXPECT_EQ(check_username("x y").error().field, "username");
}

TEST(PasswordHasher, VerifiesAndDetectsOtherCosts) {
  const PasswordHasher cheap(PasswordCost::minimum());
  const auto hash = cheap.hash(Secret("long-enough-passphrase"));
  ASSERT_TRUE(hash);
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(cheap.verify(Secret("long-enough-passphrase"), *hash));
  EXPECT_FALSE(cheap.verify(Secret("long-enough-passphrasE"), *hash));
  EXPECT_FALSE(cheap.verify(Secret("long-enough-passphrase"), "not a hash"));
  EXPECT_FALSE(cheap.needs_rehash(*hash));
  EXPECT_TRUE(PasswordHasher(PasswordCost::interactive()).needs_rehash(*hash));
}

}  // namespace
}  // namespace sentinel::auth
