// What ConnectScanner refuses before sending anything; the scanning itself is covered by
// tests/integration/scan/connect_scan_test.cpp.

#include "sentinel/scan/connect_scanner.h"

#include <gtest/gtest.h>

namespace sentinel::scan {
namespace {

TargetSet targets(const char* first, const char* last) {
  return TargetSet::from_ranges({{*IpAddress::parse(first), *IpAddress::parse(last)}});
}

TEST(ConnectScannerCreate, RefusesTargetsOutsideTheScopeNamingThem) {
  const auto scope = *ScanScope::parse("127.0.0.0/8");
  const auto created = ConnectScanner::create(
      TargetSet::from_ranges(
          {{*IpAddress::parse("126.255.255.255"), *IpAddress::parse("127.0.0.1")},
           AddressRange::single(*IpAddress::parse("10.1.2.3"))}),
      {80}, scope);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(created.error().message.find("10.1.2.3"), std::string::npos) << created.error().message;
  EXPECT_NE(created.error().message.find("126.255.255.255"), std::string::npos);
}

TEST(ConnectScannerCreate, RefusesEmptyPortListsAndBadLimits) {
  const auto scope = *ScanScope::parse("127.0.0.0/8");
  EXPECT_FALSE(ConnectScanner::create(targets("127.0.0.1", "127.0.0.1"), {}, scope));
  EXPECT_FALSE(ConnectScanner::create(targets("127.0.0.1", "127.0.0.1"), {0, 80}, scope));
  ConnectScanOptions options;
  options.limits.max_retries = 11;
  EXPECT_FALSE(ConnectScanner::create(targets("127.0.0.1", "127.0.0.1"), {80}, scope, options));
  options = {};
  options.limits.max_concurrency = 0;
  EXPECT_FALSE(ConnectScanner::create(targets("127.0.0.1", "127.0.0.1"), {80}, scope, options));
  options = {};
  options.limits.max_rate = -1;
  EXPECT_FALSE(ConnectScanner::create(targets("127.0.0.1", "127.0.0.1"), {80}, scope, options));
  EXPECT_TRUE(ConnectScanner::create(targets("127.0.0.1", "127.0.0.1"), {80}, scope));
}

TEST(ConnectScannerCreate, ACancelledScanReturnsWithoutProbing) {
  const auto scope = *ScanScope::parse("127.0.0.0/8");
  auto scanner = ConnectScanner::create(targets("127.0.0.0", "127.0.0.255"), {80}, scope);
  ASSERT_TRUE(scanner);
  (*scanner)->cancel();
  int results = 0;
  const auto outcome = (*scanner)->run([&](const PortResult&) { ++results; });
  ASSERT_TRUE(outcome);
  EXPECT_EQ(*outcome, ScanOutcome::kCancelled);
  EXPECT_EQ(results, 0);
  EXPECT_EQ((*scanner)->progress().probes_sent, 0u);
  EXPECT_FALSE((*scanner)->run([](const PortResult&) {})) << "a scanner runs once";
}

}  // namespace
}  // namespace sentinel::scan
