#include "sentinel/scan/keyed_permutation.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "sentinel/scan/target_set.h"

namespace sentinel::scan {
namespace {

TEST(KeyedPermutation, VisitsEveryIndexExactlyOnce) {
  for (const std::uint64_t n : {1ULL, 2ULL, 3ULL, 4ULL, 5ULL, 17ULL, 255ULL, 256ULL, 1000ULL,
                                4097ULL, 65536ULL, 100003ULL}) {
    for (const std::uint64_t seed : {0ULL, 1ULL, 0xdeadbeefULL}) {
      const KeyedPermutation permutation(n, seed);
      std::vector<bool> seen(n, false);
      for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t index = permutation.at(i);
        ASSERT_LT(index, n) << "n=" << n << " seed=" << seed;
        ASSERT_FALSE(seen[index]) << "index " << index << " twice, n=" << n << " seed=" << seed;
        seen[index] = true;
      }
    }
  }
}

TEST(KeyedPermutation, IsDeterministicPerSeedAndDiffersAcrossSeeds) {
  const KeyedPermutation a(10000, 42);
  const KeyedPermutation b(10000, 42);
  const KeyedPermutation c(10000, 43);
  int differences = 0;
  for (std::uint64_t i = 0; i < 10000; ++i) {
    ASSERT_EQ(a.at(i), b.at(i));
    if (a.at(i) != c.at(i)) ++differences;
  }
  EXPECT_GT(differences, 9000);
}

TEST(KeyedPermutation, WorksOnHugeIndexSpaces) {
  // 2^32 hosts × 65535 ports: no overflow, results in range, distinct for distinct positions.
  const std::uint64_t n = (std::uint64_t{1} << 32) * 65535;
  const KeyedPermutation permutation(n, 9);
  std::set<std::uint64_t> seen;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    const std::uint64_t index = permutation.at(i * 7919);
    ASSERT_LT(index, n);
    seen.insert(index);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(KeyedPermutation, SpreadsTheFirstProbesOverSubnets) {
  // A /16 in shuffled order: the first 256 addresses must not sweep one /24 after another.
  const auto set =
      TargetSet::from_ranges({{*IpAddress::parse("10.0.0.0"), *IpAddress::parse("10.0.255.255")}});
  auto walk = set.shuffled(1);
  std::set<std::uint32_t> subnets;
  IpAddress address;
  for (int i = 0; i < 256 && walk.next(address); ++i) {
    subnets.insert(static_cast<std::uint32_t>(address.value() >> 8));
  }
  // Uniform random choice would give about 162 distinct /24s; a sweep gives 1.
  EXPECT_GT(subnets.size(), 120u);
}

}  // namespace
}  // namespace sentinel::scan
