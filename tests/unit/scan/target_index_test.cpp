// TargetSet::index_of(), the inverse of at() that raw scanners use to map an answer's address
// back to its host.

#include <gtest/gtest.h>

#include "sentinel/scan/target_set.h"

namespace sentinel::scan {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

TEST(TargetIndex, InvertsAtAcrossRangesAndFamilies) {
  const auto targets = TargetSet::from_ranges({{ip("10.0.0.250"), ip("10.0.1.3")},
                                               AddressRange::single(ip("10.0.5.5")),
                                               {ip("2001:db8::fffe"), ip("2001:db8::1:1")}});
  ASSERT_EQ(targets.size(), 10u + 1 + 4);
  for (std::uint64_t i = 0; i < targets.size(); ++i) {
    const auto index = targets.index_of(targets.at(i));
    ASSERT_TRUE(index) << targets.at(i).to_string();
    EXPECT_EQ(*index, i) << targets.at(i).to_string();
  }
}

TEST(TargetIndex, AddressesOutsideHaveNoIndex) {
  const auto targets = TargetSet::from_ranges(
      {{ip("10.0.0.250"), ip("10.0.1.3")}, AddressRange::single(ip("10.0.5.5"))});
  for (const char* outside : {"10.0.0.249", "10.0.1.4", "10.0.5.4", "10.0.5.6", "0.0.0.0",
                              "255.255.255.255", "::a00:fa", "::ffff:10.0.0.250"}) {
    EXPECT_FALSE(targets.index_of(ip(outside))) << outside;
  }
}

}  // namespace
}  // namespace sentinel::scan
