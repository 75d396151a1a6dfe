#include "sentinel/scan/scan_scope.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sentinel::scan {
namespace {

TargetSet targets(std::string_view text) {
  SystemHostResolver unused;  // the lists below hold no host names
  auto set = TargetSet::parse(text, {}, unused);
  EXPECT_TRUE(set) << set.error().message;
  return std::move(set).value();
}

std::vector<std::string> names(const std::vector<AddressRange>& ranges) {
  std::vector<std::string> out;
  for (const AddressRange& range : ranges) out.push_back(range.to_string());
  return out;
}

TEST(ScanScope, AcceptsTargetsInside) {
  const auto scope = ScanScope::parse("127.0.0.0/8, ::1 10.0.0.0/24");
  ASSERT_TRUE(scope) << scope.error().message;
  EXPECT_TRUE(scope->outside(targets("127.66.0.0/27 ::1 10.0.0.5-10.0.0.9")).empty());
  EXPECT_TRUE(scope->contains(*IpAddress::parse("127.1.2.3")));
  EXPECT_FALSE(scope->contains(*IpAddress::parse("128.0.0.0")));
}

TEST(ScanScope, ListsEveryPartOutside) {
  const auto scope = ScanScope::parse("10.0.0.0/24 2001:db8::/120");
  ASSERT_TRUE(scope);
  const auto outside =
      scope->outside(targets("10.0.0.250-10.0.1.3 192.168.1.1 2001:db8::ff-2001:db8::101 ::1"));
  EXPECT_EQ(names(outside),
            (std::vector<std::string>{"10.0.1.0/30", "192.168.1.1", "::1", "2001:db8::100/127"}));
}

TEST(ScanScope, AnEmptyScopeAllowsNothing) {
  const auto scope = ScanScope::parse("");
  ASSERT_TRUE(scope);
  EXPECT_EQ(names(scope->outside(targets("127.0.0.1"))), (std::vector<std::string>{"127.0.0.1"}));
}

TEST(ScanScope, IsStrictAndNamesEveryBadEntry) {
  const auto scope = ScanScope::parse("127.0.0.0/8 10.0.0.1/24 example.com 10.0.0.0/33", "scope");
  ASSERT_FALSE(scope);
  EXPECT_EQ(scope.error().field, "scope");
  const std::string& message = scope.error().message;
  EXPECT_NE(message.find("3 invalid scope entries"), std::string::npos) << message;
  EXPECT_NE(message.find("'10.0.0.1/24': host bits are set"), std::string::npos) << message;
  EXPECT_NE(message.find("'example.com'"), std::string::npos) << message;
  EXPECT_NE(message.find("'10.0.0.0/33': prefix length '33'"), std::string::npos) << message;
  EXPECT_FALSE(ScanScope::parse("::ffff:0:0/96"));
}

TEST(ScanScope, LargeScansNeedConfirmation) {
  EXPECT_FALSE(needs_large_scan_confirmation(targets("10.0.0.0/16").size()));
  EXPECT_TRUE(needs_large_scan_confirmation(targets("10.0.0.0/16 10.1.0.0").size()));
  EXPECT_EQ(kLargeScanAddresses, 65536u);
}

}  // namespace
}  // namespace sentinel::scan
