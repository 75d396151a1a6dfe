// Which agents take a distributed job's shards (tests/unit/scanner/shard_dispatch_fixture.h):
// only those named by id, or only those whose networks hold the shard's addresses, and a job
// waits for an agent in each of its networks, failing in the end with the network named.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/unit/scanner/shard_dispatch_fixture.h"

namespace sentinel::scanner {
namespace {

using namespace dispatch_test;

class ShardPlacementTest : public ShardDispatchTest {};

TEST_P(ShardPlacementTest, AgentsNamedByIdAreTheOnlyOnesUsed) {
  for (const char* id : {"agt_a", "agt_b", "agt_c"}) fake_.agents[id] = {};
  auto job = dispatch({.group = "", .ids = {"agt_b"}});
  ASSERT_TRUE(job->prepare());
  EXPECT_EQ(run(*job), DispatchState::kCompleted);
  EXPECT_EQ(fake_.count("agt_a", kShardStartCommand), 0);
  EXPECT_EQ(fake_.count("agt_c", kShardStartCommand), 0);
  EXPECT_EQ(stored(), fake_.open);
}

// The job's 600 addresses span 127.69.0.0/24, 127.69.1.0/24 and 127.69.2.0-87.
TEST_P(ShardPlacementTest, ShardsOfAJobOnTheTargetNetworksGoOnlyToAgentsInTheirNetwork) {
  fake_.agents["agt_low"] = {.networks = {"127.69.0.0/24"}};
  fake_.agents["agt_high"] = {.networks = {"127.69.1.0/24", "127.69.2.0/24"}};
  fake_.agents["agt_elsewhere"] = {.networks = {"10.9.0.0/16"}};
  fake_.agents["agt_nowhere"] = {};
  auto job = dispatch({.group = "", .ids = {}, .networks = true});
  ASSERT_TRUE(job->prepare());
  // Sized for the three agents that sit somewhere (600 / 3), not for all four online.
  EXPECT_EQ(shards().front().address_count, 200);
  for (const ShardRow& shard : shards()) {
    EXPECT_TRUE(shard.network == "127.69.0.0/24" || shard.network == "127.69.1.0/24" ||
                shard.network == "127.69.2.0/24")
        << shard.network;
  }
  EXPECT_EQ(run(*job), DispatchState::kCompleted);
  EXPECT_EQ(stored(), fake_.open);
  for (const ShardRow& shard : shards()) {
    EXPECT_EQ(shard.agent_id, shard.network == "127.69.0.0/24" ? "agt_low" : "agt_high")
        << shard.targets;
  }
  EXPECT_EQ(fake_.count("agt_elsewhere", kShardStartCommand), 0);
  EXPECT_EQ(fake_.count("agt_nowhere", kShardStartCommand), 0);
}

TEST_P(ShardPlacementTest, AnAgentInAWiderNetworkTakesTheShardsOfTheNarrowerOnes) {
  options_.shard_addresses = 100;
  fake_.agents["agt_wide"] = {.networks = {"127.69.0.0/16"}};
  fake_.agents["agt_narrow"] = {.mode = FakeAgents::Mode::kGone, .networks = {"127.69.1.0/24"}};
  auto job = dispatch({.group = "", .ids = {}, .networks = true});
  ASSERT_TRUE(job->prepare());
  EXPECT_EQ(run(*job), DispatchState::kCompleted);
  EXPECT_EQ(stored(), fake_.open);
}

TEST_P(ShardPlacementTest, AJobOnTheTargetNetworksWaitsForTheAgentOfANetworkThenFailsNamingIt) {
  fake_.agents["agt_low"] = {.networks = {"127.69.0.0/23"}};
  fake_.agents["agt_high"] = {.online = false, .networks = {"127.69.2.0/24"}};
  auto job = dispatch({.group = "", .ids = {}, .networks = true});
  ASSERT_TRUE(job->prepare());
  // The shards of 127.69.0.0/23 are done at once; those of 127.69.2.0/24 wait for agt_high.
  EXPECT_EQ(run(*job, 5), DispatchState::kRunning);
  EXPECT_EQ(fake_.count("agt_high", kShardStartCommand), 0);
  EXPECT_EQ(run(*job, 60), DispatchState::kFailed);
  EXPECT_NE(job->failure().find("no agent that sits in 127.69.2.0/24 was online for 30 s"),
            std::string::npos)
      << job->failure();
}

TEST_P(ShardPlacementTest, AJobWithAddressesInNoAgentsNetworkIsNotCut) {
  fake_.agents["agt_low"] = {.networks = {"127.69.0.0/24"}};
  auto job = dispatch({.group = "", .ids = {}, .networks = true});
  const Status prepared = job->prepare();
  ASSERT_FALSE(prepared);
  EXPECT_EQ(prepared.error().field, "agents.networks");
  EXPECT_NE(prepared.error().message.find("127.69.1.0-127.69.2.87"), std::string::npos)
      << prepared.error().message;
  EXPECT_TRUE(shards().empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, ShardPlacementTest, ::testing::ValuesIn(test::kBackends),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::scanner
