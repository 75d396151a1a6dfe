#include "sentinel/server/module_graph.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace sentinel::server {
namespace {

TEST(ModuleGraphTest, EveryDependencyExistsAndComesFirst) {
  std::set<std::string> earlier;
  for (const ModuleSpec& spec : module_specs()) {
    for (const std::string& dependency : spec.dependencies) {
      EXPECT_TRUE(earlier.count(dependency)) << spec.name << " needs " << dependency;
    }
    EXPECT_TRUE(earlier.insert(spec.name).second) << "duplicate module " << spec.name;
  }
}

TEST(ModuleGraphTest, AllResolvesToEveryModule) {
  auto order = resolve_targets({"all"});
  ASSERT_TRUE(order);
  EXPECT_EQ(order->size(), module_specs().size());
}

TEST(ModuleGraphTest, TargetPullsInItsDependenciesFirst) {
  auto order = resolve_targets({"auth"});
  ASSERT_TRUE(order);
  const auto position = [&](const std::string& name) {
    return std::find(order->begin(), order->end(), name) - order->begin();
  };
  EXPECT_LT(position("store"), position("audit"));
  EXPECT_LT(position("audit"), position("auth"));
  EXPECT_EQ(std::count(order->begin(), order->end(), "gateway"), 0);
}

TEST(ModuleGraphTest, UnknownTargetListsKnownOnes) {
  auto order = resolve_targets({"gatewy"});
  ASSERT_FALSE(order);
  EXPECT_NE(order.error().message.find("unknown target 'gatewy'"), std::string::npos);
  EXPECT_NE(order.error().message.find("gateway"), std::string::npos);
}

}  // namespace
}  // namespace sentinel::server
