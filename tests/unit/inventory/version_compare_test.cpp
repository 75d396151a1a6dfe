// Debian and RPM version order: known pairs, rpm's own rpmvercmp test table, and the real
// `dpkg --compare-versions` on this machine.

#include "sentinel/inventory/version_compare.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "tests/support/process.h"

namespace sentinel::inventory {
namespace {

int sign(int value) { return (value > 0) - (value < 0); }

struct Pair {
  std::string a;
  std::string b;
  int expected;  // sign of compare(a, b)
};

// Tricky Debian pairs: epochs, revisions, '~', '+', leading zeros, letters against symbols.
const std::vector<Pair> kDebianPairs = {
    {"1.0", "1.0", 0},
    {"1.0", "1.0-0", 0},
    {"1.0~rc1", "1.0", -1},
    {"1.0~rc1", "1.0~rc2", -1},
    {"1.0~~", "1.0~", -1},
    {"1.0~", "1.0", -1},
    {"1.0~", "1.0~~a", 1},
    {"1.0", "1.0+b1", -1},
    {"1.0-1", "1.0-1+deb12u1", -1},
    {"1:0.9", "2.0", 1},
    {"0:1.0", "1.0", 0},
    {"2:1.0", "1:9.9", 1},
    {"1.0a", "1.0", 1},
    {"1.0a", "1.0b", -1},
    {"1.0.1", "1.0a", 1},
    {"1.10", "1.9", 1},
    {"1.010", "1.10", 0},
    {"9", "10", -1},
    {"1.0.0", "1.0", 1},
    {"1.0", "1.0.", -1},
    {"2.36-9+deb12u4", "2.36-9+deb12u10", -1},
    {"7.88.1-10+deb12u5", "7.88.1-10+deb12u12", -1},
    {"1.2.3-1ubuntu1", "1.2.3-1", 1},
    {"1.2.3-1~bpo12+1", "1.2.3-1", -1},
    {"3.0.11-1~deb12u2", "3.0.11-1", -1},
    {"1.0-1", "1.0-1.1", -1},
    {"1.0-1", "1.0-a", -1},
    {"1.0-1", "1.0+1", -1},
    {"1.0+dfsg", "1.0", 1},
    {"1.0+dfsg-1", "1.0-1", 1},
    {"1.0~beta", "1.0~alpha", 1},
    {"1.0-0ubuntu0.22.04.1", "1.0-0ubuntu0.20.04.1", 1},
    {"1.2~rc1+git20200101", "1.2~rc1", 1},
    {"0.0.0~git20240101.abcdef-1", "0.0.0~git20231201.123456-1", 1},
    {"1.0-1~exp1", "1.0-1", -1},
    {"6.1.0-18-amd64", "6.1.0-9-amd64", 1},
    {"1:1.2.13.dfsg-1", "1:1.2.11.dfsg-2", 1},
    {"2.4.57-2", "2.4.57-2+b1", -1},
    {"1.18.0-6+deb11u3", "1.18.0-6.1+deb12u1", -1},
    {"3.0.2-0ubuntu1.15", "3.0.2-0ubuntu1.9", 1},
    {"10.0.0+r36-1", "10.0.0+r4-1", 1},
    {"1:2.3~rc1-4", "1:2.3-1", -1},
};

TEST(VersionCompare, DebianKnownPairs) {
  for (const Pair& pair : kDebianPairs) {
    EXPECT_EQ(sign(compare_debian_versions(pair.a, pair.b)), pair.expected)
        << pair.a << " vs " << pair.b;
    EXPECT_EQ(sign(compare_debian_versions(pair.b, pair.a)), -pair.expected)
        << pair.b << " vs " << pair.a;
  }
}

// What the real dpkg says: -1, 0 or 1.
int dpkg_order(const std::string& a, const std::string& b) {
  const auto holds = [&](const char* relation) {
    auto result = test::run_command({"/usr/bin/dpkg", "--compare-versions", a, relation, b});
    EXPECT_TRUE(result) << result.error().message;
    return result && result->exit_code == 0;
  };
  if (holds("lt")) return -1;
  if (holds("eq")) return 0;
  return 1;
}

TEST(VersionCompare, DebianAgreesWithDpkg) {
  if (::access("/usr/bin/dpkg", X_OK) != 0) GTEST_SKIP() << "no dpkg on this machine";
  for (const Pair& pair : kDebianPairs) {
    EXPECT_EQ(sign(compare_debian_versions(pair.a, pair.b)), dpkg_order(pair.a, pair.b))
        << pair.a << " vs " << pair.b;
  }
}

TEST(VersionCompare, DebianValidity) {
  for (const char* valid : {"1.0", "1:2.3~rc1-4", "6.1.0-18-amd64", "0.0.0~git2024.abc-1+b1"}) {
    EXPECT_TRUE(is_valid_debian_version(valid)) << valid;
  }
  for (const char* invalid : {"", "a1.0", "1.0-", ":1.0", "x:1.0", "1.0 beta", "1.0-1_2", "1:"}) {
    EXPECT_FALSE(is_valid_debian_version(invalid)) << invalid;
  }
}

// rpm's tests/rpmvercmp.at.
const std::vector<Pair> kRpmPairs = {
    {"1.0", "1.0", 0},
    {"1.0", "2.0", -1},
    {"2.0.1", "2.0.1", 0},
    {"2.0", "2.0.1", -1},
    {"2.0.1a", "2.0.1", 1},
    {"5.5p1", "5.5p2", -1},
    {"5.5p10", "5.5p1", 1},
    {"10xyz", "10.1xyz", -1},
    {"xyz10", "xyz10.1", -1},
    {"xyz.4", "xyz.4", 0},
    {"xyz.4", "8", -1},
    {"8", "xyz.4", 1},
    {"xyz.4", "2", -1},
    {"5.5p2", "5.6p1", -1},
    {"5.6p1", "6.5p1", -1},
    {"6.0.rc1", "6.0", 1},
    {"10b2", "10a1", 1},
    {"1.0aa", "1.0a", 1},
    {"10.0001", "10.1", 0},
    {"10.0001", "10.0039", -1},
    {"4.999.9", "5.0", -1},
    {"20101121", "20101122", -1},
    {"2_0", "2_0", 0},
    {"2.0", "2_0", 0},
    {"a+", "a_", 0},
    {"+a", "_a", 0},
    {"+_", "_+", 0},
    {"1.0~rc1", "1.0~rc1", 0},
    {"1.0~rc1", "1.0", -1},
    {"1.0~rc1", "1.0~rc2", -1},
    {"1.0~rc1~git123", "1.0~rc1", -1},
    {"1.0^", "1.0^", 0},
    {"1.0^", "1.0", 1},
    {"1.0^git1", "1.0", 1},
    {"1.0^git1", "1.01", -1},
    {"1.0^20160101", "1.0.1", -1},
    {"1.0^20160101^git1", "1.0^20160101", 1},
    {"1.0~rc1^git1", "1.0~rc1", 1},
    {"1.0^git1~pre", "1.0^git1", -1},
    {"1.0^git1", "1.0^git2", -1},
};

TEST(VersionCompare, RpmvercmpTable) {
  for (const Pair& pair : kRpmPairs) {
    EXPECT_EQ(rpmvercmp(pair.a, pair.b), pair.expected) << pair.a << " vs " << pair.b;
    EXPECT_EQ(rpmvercmp(pair.b, pair.a), -pair.expected) << pair.b << " vs " << pair.a;
  }
}

TEST(VersionCompare, RpmEpochVersionRelease) {
  EXPECT_EQ(compare_rpm_versions("1:1.0-1", "2.0-1"), 1);
  EXPECT_EQ(compare_rpm_versions("0:2.0-1", "2.0-1"), 0);
  EXPECT_EQ(compare_rpm_versions("1.0-1.el9", "1.0-2.el9"), -1);
  EXPECT_EQ(compare_rpm_versions("3.0.7-24.el9", "3.0.7-27.el9_4"), -1);
  EXPECT_EQ(compare_rpm_versions("1.0", "1.0-5"), 0);  // no release on one side: versions decide
  EXPECT_EQ(compare_rpm_versions("1.0", "1.1-5"), -1);
}

TEST(VersionCompare, ComparatorForSource) {
  EXPECT_EQ(comparator_for_source("dpkg")("1.0~rc1", "1.0"), -1);
  EXPECT_EQ(sign(comparator_for_source("rpm")("1.0^git1", "1.0")), 1);
  EXPECT_EQ(comparator_for_source("pip"), nullptr);
}

}  // namespace
}  // namespace sentinel::inventory
