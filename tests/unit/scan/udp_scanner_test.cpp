// What UdpScanner refuses before sending anything; the scanning itself is covered by
// tests/integration/scan/udp_scan_test.cpp and the timing by udp_probe_schedule_test.cpp.

#include "sentinel/scan/udp_scanner.h"

#include <gtest/gtest.h>

namespace sentinel::scan {
namespace {

using namespace std::chrono_literals;

TargetSet targets(const char* first, const char* last) {
  return TargetSet::from_ranges({{*IpAddress::parse(first), *IpAddress::parse(last)}});
}

ScanScope loopback() { return *ScanScope::parse("127.0.0.0/8 ::1"); }

TEST(UdpScannerCreate, RefusesTargetsOutsideTheScopeNamingThem) {
  const auto created = UdpScanner::create(
      TargetSet::from_ranges({AddressRange::single(*IpAddress::parse("127.0.0.1")),
                              AddressRange::single(*IpAddress::parse("192.0.2.53"))}),
      {53}, loopback());
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(created.error().message.find("192.0.2.53"), std::string::npos)
      << created.error().message;
}

TEST(UdpScannerCreate, RefusesEmptyPortListsBadLimitsAndABadGuard) {
  const auto refused = [](std::vector<std::uint16_t> ports, UdpScanOptions options,
                          std::string_view field) {
    const auto created = UdpScanner::create(targets("127.0.0.1", "127.0.0.1"), std::move(ports),
                                            loopback(), options);
    if (created) return ::testing::AssertionFailure() << "accepted";
    if (created.error().field != field) {
      return ::testing::AssertionFailure()
             << "field " << created.error().field << ": " << created.error().message;
    }
    return ::testing::AssertionSuccess() << created.error().message;
  };
  const auto empty = UdpScanner::create(targets("127.0.0.1", "127.0.0.1"), {}, loopback());
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("no UDP ports"), std::string::npos);
  EXPECT_TRUE(refused({0, 53}, {}, "ports"));
  UdpScanOptions options;
  options.limits.max_retries = 11;
  EXPECT_TRUE(refused({53}, options, "max_retries"));
  options = {};
  options.limits.max_concurrency = 0;
  EXPECT_TRUE(refused({53}, options, "max_concurrency"));
  options = {};
  options.icmp.confirm_attempts = 11;
  EXPECT_TRUE(refused({53}, options, "icmp.confirm_attempts"));
  options = {};
  options.icmp.confirm_interval = 0s;
  EXPECT_TRUE(refused({53}, options, "icmp.confirm_interval"));
  options = {};
  options.icmp.confirm_interval = 61s;
  EXPECT_TRUE(refused({53}, options, "icmp.confirm_interval"));
  options = {};
  options.icmp.confirm_attempts = 0;  // allowed: confirmation off
  EXPECT_TRUE(UdpScanner::create(targets("127.0.0.1", "127.0.0.1"), {53}, loopback(), options));
}

TEST(UdpScannerCreate, RefusesMoreThanAMillionTargetsAskingForShards) {
  const auto created =
      UdpScanner::create(targets("127.0.0.0", "127.255.255.255"), {53}, loopback());
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().field, "targets");
  EXPECT_NE(created.error().message.find("shards"), std::string::npos) << created.error().message;
  EXPECT_TRUE(UdpScanner::create(targets("127.0.0.0", "127.15.255.255"), {53}, loopback()))
      << "2^20 addresses are fine";
}

TEST(UdpScannerCreate, LoadsPayloadsWhenNoneAreGivenAndACancelledScanSendsNothing) {
  auto scanner = UdpScanner::create(targets("127.0.0.0", "127.0.0.255"), {53, 161}, loopback());
  ASSERT_TRUE(scanner) << scanner.error().message;
  EXPECT_FALSE((*scanner)->payload_origin().empty());
  (*scanner)->cancel();
  int results = 0;
  const auto outcome = (*scanner)->run([&](const PortResult&) { ++results; });
  ASSERT_TRUE(outcome);
  EXPECT_EQ(*outcome, ScanOutcome::kCancelled);
  EXPECT_EQ(results, 0);
  EXPECT_EQ((*scanner)->progress().probes_sent, 0u);
  EXPECT_EQ((*scanner)->progress().pairs_total, 512u);
}

}  // namespace
}  // namespace sentinel::scan
