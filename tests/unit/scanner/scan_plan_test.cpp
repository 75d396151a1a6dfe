// From a request to a plan: the scope guard names every offending target (host names by the
// addresses they resolved to), large scans need confirmation, profiles choose ports.

#include "src/scanner/scan_plan.h"

#include <gtest/gtest.h>

#include <map>

namespace sentinel::scanner {
namespace {

/// Names from a table, counting lookups: resolution must happen once per name.
class TableResolver final : public scan::HostResolver {
 public:
  Result<std::vector<scan::IpAddress>> resolve(const std::string& name) override {
    ++lookups[name];
    const auto found = table.find(name);
    if (found == table.end()) return not_found("no such host " + name);
    return found->second;
  }
  std::map<std::string, std::vector<scan::IpAddress>> table;
  std::map<std::string, int> lookups;
};

scan::IpAddress ip(const char* text) { return *scan::IpAddress::parse(text); }

class ScanPlanTest : public ::testing::Test {
 protected:
  ScanPlanTest() : scope_(*scan::ScanScope::parse("127.68.0.0/16")) {
    resolver_.table["inside.test"] = {ip("127.68.1.1")};
    resolver_.table["outside.test"] = {ip("127.69.0.5")};
  }

  Result<ScanPlan> plan(ScanRequest request) { return plan_scan(request, scope_, resolver_); }

  scan::ScanScope scope_;
  TableResolver resolver_;
};

TEST_F(ScanPlanTest, TargetsInsideTheScopeArePlanned) {
  auto planned = plan({.targets = {"127.68.0.0/30", "inside.test"}, .ports = "22,80"});
  ASSERT_TRUE(planned) << planned.error().message;
  EXPECT_EQ(planned->targets.size(), 5u);
  EXPECT_EQ(planned->ports.tcp, (std::vector<std::uint16_t>{22, 80}));
  EXPECT_EQ(planned->port_spec, "22,80");
  EXPECT_EQ(resolver_.lookups["inside.test"], 1);
}

TEST_F(ScanPlanTest, EveryTargetOutsideIsNamedWithItsAddresses) {
  auto planned = plan({.targets = {"127.68.0.1", "127.69.0.0/24", "outside.test", "10.0.0.1",
                                   "127.67.255.255-127.68.0.3"},
                       .ports = "80"});
  ASSERT_FALSE(planned);
  const Error& error = planned.error();
  EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(error.reason, "target_out_of_scope");
  EXPECT_EQ(error.field, "targets");
  for (const char* named : {"'127.69.0.0/24'", "'outside.test' (127.69.0.5)", "'10.0.0.1'",
                            "'127.67.255.255-127.68.0.3' (127.67.255.255)", "127.68.0.0/16"}) {
    EXPECT_NE(error.message.find(named), std::string::npos) << named << " in " << error.message;
  }
  EXPECT_EQ(error.message.find("'127.68.0.1'"), std::string::npos) << error.message;
  // The per-target check reuses the first resolution.
  EXPECT_EQ(resolver_.lookups["outside.test"], 1);
}

TEST_F(ScanPlanTest, ExcludingWhatIsOutsideMakesTheScanFit) {
  auto planned =
      plan({.targets = {"127.68.255.0-127.69.0.10"}, .exclude = {"127.69.0.0/24"}, .ports = "80"});
  ASSERT_TRUE(planned) << planned.error().message;
  EXPECT_EQ(planned->targets.size(), 256u);
}

TEST_F(ScanPlanTest, NoScopeRefusesEverythingAndSaysSo) {
  const auto none = scan::ScanScope::from_ranges({});
  auto planned = plan_scan({.targets = {"127.68.0.1"}, .ports = "80"}, none, resolver_);
  ASSERT_FALSE(planned);
  EXPECT_EQ(planned.error().reason, "target_out_of_scope");
  EXPECT_NE(planned.error().message.find("none are configured"), std::string::npos)
      << planned.error().message;
}

TEST_F(ScanPlanTest, MoreThan65536AddressesNeedConfirmation) {
  const auto wide = *scan::ScanScope::parse("127.0.0.0/8");
  auto refused = plan_scan({.targets = {"127.0.0.0/8"}, .ports = "80"}, wide, resolver_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, "confirmation_required");
  EXPECT_EQ(refused.error().field, "confirm_large");
  EXPECT_NE(refused.error().message.find("16777216"), std::string::npos) << refused.error().message;
  auto exactly = plan_scan({.targets = {"127.1.0.0/16"}, .ports = "80"}, wide, resolver_);
  EXPECT_TRUE(exactly) << "65,536 addresses need no confirmation";
  auto confirmed = plan_scan({.targets = {"127.0.0.0/8"}, .ports = "80", .confirm_large = true},
                             wide, resolver_);
  ASSERT_TRUE(confirmed) << confirmed.error().message;
  EXPECT_EQ(confirmed->targets.size(), 16777216u);
}

TEST_F(ScanPlanTest, ProfilesChoosePortsAndPortsWin) {
  auto quick = plan({.targets = {"127.68.0.1"}, .profile = ScanProfile::kQuick});
  ASSERT_TRUE(quick);
  EXPECT_EQ(quick->port_spec, "top100");
  EXPECT_EQ(quick->ports.size(), 100u);
  auto standard = plan({.targets = {"127.68.0.1"}});
  ASSERT_TRUE(standard);
  EXPECT_EQ(standard->port_spec, "top1000");
  EXPECT_EQ(standard->ports.size(), 1000u);
  auto full = plan({.targets = {"127.68.0.1"}, .profile = ScanProfile::kFull});
  ASSERT_TRUE(full);
  EXPECT_EQ(full->ports.size(), 65535u);
  auto both = plan({.targets = {"127.68.0.1"}, .ports = "443", .profile = ScanProfile::kFull});
  ASSERT_TRUE(both);
  EXPECT_EQ(both->ports.tcp, std::vector<std::uint16_t>{443});
}

TEST_F(ScanPlanTest, BadTargetsAndUnknownNamesAreNamed) {
  auto bad = plan({.targets = {"127.68.0.300"}, .ports = "80"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "targets");
  EXPECT_NE(bad.error().message.find("127.68.0.300"), std::string::npos) << bad.error().message;
  auto unknown = plan({.targets = {"nowhere.test"}, .ports = "80"});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("nowhere.test"), std::string::npos);
}

TEST_F(ScanPlanTest, TheScopeKeyIsTheSameForTheSameAddressesAndPorts) {
  auto a = plan({.targets = {"127.68.0.0/30"}, .ports = "80,22"});
  auto b = plan({.targets = {"127.68.0.2", "127.68.0.0-1", "127.68.0.3"}, .ports = "22,80"});
  auto c = plan({.targets = {"127.68.0.0/30"}, .ports = "22"});
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->scope_key, b->scope_key);
  EXPECT_NE(a->scope_key, c->scope_key);
}

}  // namespace
}  // namespace sentinel::scanner
