#include "src/auth/principal_cache.h"

#include <gtest/gtest.h>

namespace sentinel::auth {
namespace {

Principal caller(std::string name) {
  Principal principal;
  principal.username = std::move(name);
  principal.permissions = {"users:read"};
  return principal;
}

TEST(PrincipalCacheTest, ServesAnEntryUntilItsLifetimeOrTheCredentialEnds) {
  ManualClock clock(1'000'000);
  PrincipalCache cache(clock, 1000, 16);
  cache.store("t:a", caller("alice"), cache.generation(), 1'000'500);
  ASSERT_TRUE(cache.find("t:a"));
  EXPECT_EQ(cache.find("t:a")->username, "alice");
  clock.advance_ms(499);
  EXPECT_TRUE(cache.find("t:a"));
  clock.advance_ms(1);  // the credential itself expired
  EXPECT_FALSE(cache.find("t:a"));

  cache.store("t:b", caller("bob"), cache.generation(), 9'000'000);
  clock.advance_ms(1000);  // the cache lifetime
  EXPECT_FALSE(cache.find("t:b"));
}

TEST(PrincipalCacheTest, AChangeDropsEntriesAndRefusesOnesLoadedBeforeIt) {
  ManualClock clock(0);
  PrincipalCache cache(clock, 1000, 16);
  cache.store("s:x", caller("xavier"), cache.generation(), 10'000);
  const std::uint64_t before = cache.generation();  // a load starts...
  cache.invalidate_all();                           // ...a change commits meanwhile...
  EXPECT_FALSE(cache.find("s:x"));
  cache.store("s:y", caller("yvonne"), before, 10'000);  // ...the stale load is not kept
  EXPECT_FALSE(cache.find("s:y"));
  cache.store("s:y", caller("yvonne"), cache.generation(), 10'000);
  EXPECT_TRUE(cache.find("s:y"));
}

TEST(PrincipalCacheTest, StaysWithinItsCapacityAndCanBeOff) {
  ManualClock clock(0);
  PrincipalCache cache(clock, 1000, 2);
  for (int i = 0; i < 5; ++i) {
    cache.store("k" + std::to_string(i), caller("u"), cache.generation(), 10'000);
  }
  int present = 0;
  for (int i = 0; i < 5; ++i) present += cache.find("k" + std::to_string(i)) ? 1 : 0;
  EXPECT_LE(present, 2);
  EXPECT_TRUE(cache.find("k4"));

  PrincipalCache off(clock, 0, 2);
  off.store("k", caller("u"), off.generation(), 10'000);
  EXPECT_FALSE(off.find("k"));
}

TEST(PrincipalCacheTest, UserRecordsFollowTheSameRules) {
  ManualClock clock(0);
  PrincipalCache cache(clock, 1000, 16);
  UserView ann;
  ann.id = 7;
  ann.display_name = "Ann";
  EXPECT_FALSE(cache.find_user(7));
  cache.store_user(ann, cache.generation());
  ASSERT_TRUE(cache.find_user(7));
  EXPECT_EQ(cache.find_user(7)->display_name, "Ann");
  EXPECT_FALSE(cache.find_user(8));
  clock.advance_ms(1000);
  EXPECT_FALSE(cache.find_user(7));

  cache.store_user(ann, cache.generation());
  const std::uint64_t before = cache.generation();
  cache.invalidate_all();
  EXPECT_FALSE(cache.find_user(7));
  cache.store_user(ann, before);
  EXPECT_FALSE(cache.find_user(7));

  PrincipalCache off(clock, 0, 16);
  off.store_user(ann, off.generation());
  EXPECT_FALSE(off.find_user(7));
}

}  // namespace
}  // namespace sentinel::auth
