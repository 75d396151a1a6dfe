// IntervalSet: the normal form every containment and overlap answer rests on.

#include "sentinel/firewall/interval_set.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace sentinel::firewall {
namespace {

using Bytes = IntervalSet<std::uint8_t>;
using Ports = IntervalSet<std::uint16_t>;

std::vector<Bytes::Interval> intervals(const Bytes& set) { return set.intervals(); }

TEST(FirewallIntervalSet, MergesOverlappingAndAdjacentIntervals) {
  const Bytes set = Bytes::of({{10, 20}, {0, 3}, {4, 5}, {15, 30}, {40, 40}, {9, 2}});
  EXPECT_EQ(intervals(set), (std::vector<Bytes::Interval>{{0, 5}, {10, 30}, {40, 40}}));
  EXPECT_EQ(Bytes::of({{250, 255}, {0, 255}}), Bytes::full(255));
  EXPECT_TRUE(Bytes::of({{9, 2}}).empty());
}

TEST(FirewallIntervalSet, ComplementCoversTheEdges) {
  EXPECT_EQ(Bytes().complement(255), Bytes::full(255));
  EXPECT_TRUE(Bytes::full(255).complement(255).empty());
  EXPECT_EQ(intervals(Bytes::of({{0, 5}, {250, 255}}).complement(255)),
            (std::vector<Bytes::Interval>{{6, 249}}));
  EXPECT_EQ(intervals(Bytes::of({{7, 7}}).complement(255)),
            (std::vector<Bytes::Interval>{{0, 6}, {8, 255}}));
}

TEST(FirewallIntervalSet, ContainmentBySearchAndByWalkAgree) {
  std::vector<Ports::Interval> many;
  for (std::uint16_t p = 100; p < 60000; p += 10)
    many.push_back({p, static_cast<std::uint16_t>(p + 4)});
  const Ports big = Ports::of(many);
  // Few against many: searched.
  EXPECT_TRUE(big.contains(Ports::of({{102, 104}, {59990, 59994}})));
  EXPECT_FALSE(big.contains(Ports::of({{102, 105}})));
  EXPECT_FALSE(big.contains(Ports::of({{99, 99}})));
  // Alike sizes: walked.
  std::vector<Ports::Interval> shifted = many;
  EXPECT_TRUE(big.contains(Ports::of(shifted)));
  shifted.back().high += 1;
  EXPECT_FALSE(big.contains(Ports::of(shifted)));
  EXPECT_TRUE(big.contains(Ports()));
  EXPECT_FALSE(Ports().contains(big));
}

TEST(FirewallIntervalSet, UnionIntersectionAndFirstCommonValue) {
  const Ports a = Ports::of({{1, 10}, {20, 30}});
  const Ports b = Ports::of({{11, 19}, {25, 40}});
  EXPECT_EQ(a.united(b), Ports::of({{1, 40}}));
  EXPECT_EQ(a.intersection(b), Ports::of({{25, 30}}));
  EXPECT_EQ(a.first_common(b), std::optional<std::uint16_t>(25));
  EXPECT_FALSE(Ports::of({{1, 2}}).intersects(Ports::of({{3, 4}})));
  // Copies share storage; equal sets built apart compare equal but do not.
  const Ports copy = a;
  EXPECT_TRUE(copy.same_storage(a));
  EXPECT_FALSE(Ports::of({{1, 10}, {20, 30}}).same_storage(a));
  EXPECT_EQ(Ports::of({{1, 10}, {20, 30}}), a);
}

}  // namespace
}  // namespace sentinel::firewall
