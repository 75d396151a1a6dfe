// The dispatcher of a distributed job, round by round with a manual clock, on SQLite and
// PostgreSQL, with agents played by a fake of our ScanAgents interface: shards go to online
// agents one at a time each, results are stored once however often they come, a lease that runs
// out moves its shard to another agent, and a job without agents, or whose shards keep failing,
// fails with an error that says why.
//
// Shard placement and discovery have suites of their own beside this one
// (shard_dispatch_placement_test.cpp, shard_dispatch_discovery_test.cpp); the fixture is
// shard_dispatch_fixture.h.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/unit/scanner/shard_dispatch_fixture.h"

namespace sentinel::scanner {
namespace {

using namespace dispatch_test;

TEST_P(ShardDispatchTest, EachOnlineAgentTakesOneShardAndEveryResultIsStored) {
  for (const char* id : {"agt_a", "agt_b", "agt_c"}) fake_.agents[id] = {};
  auto job = dispatch();
  ASSERT_TRUE(job->prepare());
  ASSERT_EQ(shards().size(), 3u);

  EXPECT_EQ(job->tick(), DispatchState::kRunning);
  std::set<std::string> holders;
  for (const ShardRow& shard : shards()) {
    EXPECT_EQ(shard.status, ShardStatus::kLeased);
    holders.insert(shard.agent_id);
  }
  EXPECT_EQ(holders, (std::set<std::string>{"agt_a", "agt_b", "agt_c"}));

  EXPECT_EQ(run(*job), DispatchState::kCompleted);
  EXPECT_EQ(stored(), fake_.open);
  EXPECT_EQ(job->counters().pairs_done, job->counters().pairs_total);
  EXPECT_EQ(job->counters().pairs_total, 600 * 4);
  EXPECT_EQ(job->counters().open_found, 5);
  EXPECT_EQ(job->counters().hosts_done, 600);
}

TEST_P(ShardDispatchTest, TheJobsRateIsSplitAmongItsAgentsAndItsConcurrencyGoesToEach) {
  for (const char* id : {"agt_a", "agt_b", "agt_c"}) {
    fake_.agents[id] = {.mode = FakeAgents::Mode::kSlow};
  }
  auto job = dispatch({.group = "bed", .ids = {}}, false,
                      ProbeLimits{.max_rate = 300, .max_concurrency = 32});
  ASSERT_TRUE(job->prepare());
  ASSERT_EQ(shards().size(), 3u);
  EXPECT_EQ(job->tick(), DispatchState::kRunning);
  for (const char* id : {"agt_a", "agt_b", "agt_c"}) {
    ASSERT_TRUE(fake_.agents[id].held) << id;
    EXPECT_EQ(fake_.agents[id].held->max_rate, std::optional<double>(100)) << id;
    EXPECT_EQ(fake_.agents[id].held->max_concurrency, std::optional<std::int64_t>(32)) << id;
  }
}

TEST_P(ShardDispatchTest, WithoutCapsTheStartLeavesThemOut) {
  fake_.agents["agt_a"] = {.mode = FakeAgents::Mode::kSlow};
  auto job = dispatch();
  ASSERT_TRUE(job->prepare());
  job->tick();
  ASSERT_TRUE(fake_.agents["agt_a"].held);
  EXPECT_FALSE(fake_.agents["agt_a"].held->max_rate);
  EXPECT_FALSE(fake_.agents["agt_a"].held->max_concurrency);
}

TEST_P(ShardDispatchTest, AnAgentHoldsOneShardAtATimeSoAFasterOneDoesMore) {
  options_.shard_addresses = 100;  // six shards
  fake_.agents["agt_fast"] = {};
  fake_.agents["agt_slow"] = {.mode = FakeAgents::Mode::kSlow};
  auto job = dispatch();
  ASSERT_TRUE(job->prepare());
  ASSERT_EQ(shards().size(), 6u);
  // The slow agent keeps its first shard; the fast one does all the others, one after another.
  for (int round = 0; round < 20; ++round) {
    job->tick();
    int held_by_slow = 0;
    int held_by_fast = 0;
    for (const ShardRow& shard : shards()) {
      if (shard.status != ShardStatus::kLeased) continue;
      (shard.agent_id == "agt_slow" ? held_by_slow : held_by_fast)++;
    }
    EXPECT_LE(held_by_slow, 1);
    EXPECT_LE(held_by_fast, 1);
  }
  EXPECT_EQ(fake_.count("agt_slow", kShardStartCommand), 1);
  EXPECT_EQ(fake_.count("agt_fast", kShardStartCommand), 5);
  int done = 0;
  for (const ShardRow& shard : shards()) done += shard.status == ShardStatus::kDone ? 1 : 0;
  EXPECT_EQ(done, 5);
}

TEST_P(ShardDispatchTest, AShardWhoseLeaseRunsOutGoesToAnotherAgentAndNothingIsStoredTwice) {
  fake_.agents["agt_a"] = {.mode = FakeAgents::Mode::kSlow};
  options_.shard_addresses = 600;
  auto job = dispatch();
  ASSERT_TRUE(job->prepare());
  ASSERT_EQ(shards().size(), 1u);
  job->tick();  // leased to agt_a
  job->tick();  // agt_a hands over part of the shard
  const std::set<Pair> partial = stored();
  EXPECT_EQ(partial.size(), 2u);  // 127.69.0.5: 22 and 80

  // agt_a goes away; agt_b comes. Until the lease runs out the shard stays agt_a's.
  fake_.agents["agt_a"].mode = FakeAgents::Mode::kGone;
  fake_.agents["agt_b"] = {};
  clock_.advance_ms(options_.lease.count() - 2000);
  EXPECT_EQ(job->tick(), DispatchState::kRunning);
  EXPECT_EQ(shards().front().agent_id, "agt_a");
  EXPECT_EQ(fake_.count("agt_b", kShardStartCommand), 0);

  clock_.advance_ms(2000);
  EXPECT_EQ(job->tick(), DispatchState::kRunning);
  const ShardRow moved = shards().front();
  EXPECT_EQ(moved.agent_id, "agt_b");
  EXPECT_EQ(moved.attempts, 1);
  EXPECT_NE(moved.error.find("agt_a"), std::string::npos) << moved.error;

  EXPECT_EQ(run(*job), DispatchState::kCompleted);
  // agt_b reported the hosts agt_a had reported already: stored once (the primary key would
  // have refused a second row, failing the job).
  EXPECT_EQ(stored(), fake_.open);
}

TEST_P(ShardDispatchTest, AnAgentThatNoLongerKnowsItsShardLosesItAtOnce) {
  fake_.agents["agt_a"] = {};
  fake_.agents["agt_b"] = {.online = false};
  options_.shard_addresses = 600;
  options_.refusal_pause = std::chrono::milliseconds(5000);
  auto job = dispatch();
  ASSERT_TRUE(job->prepare());
  job->tick();
  ASSERT_EQ(shards().front().agent_id, "agt_a");
  // agt_a restarted: it answers, but holds no shard any more. No waiting for the lease (the
  // clock does not move here): the shard goes to agt_b in the same round.
  fake_.agents["agt_a"].mode = FakeAgents::Mode::kForgets;
  fake_.agents["agt_b"].online = true;
  EXPECT_EQ(job->tick(), DispatchState::kRunning);
  EXPECT_EQ(shards().front().agent_id, "agt_b");
  EXPECT_EQ(shards().front().attempts, 1);
  EXPECT_EQ(job->tick(), DispatchState::kCompleted);
  EXPECT_EQ(stored(), fake_.open);
}

TEST_P(ShardDispatchTest, WithoutAnyAgentOnlineTheJobFailsAfterTheWait) {
  fake_.agents["agt_a"] = {.online = false};
  auto job = dispatch();
  ASSERT_TRUE(job->prepare());
  EXPECT_EQ(job->tick(), DispatchState::kRunning);
  clock_.advance_ms(options_.agent_wait.count() - 1);
  EXPECT_EQ(job->tick(), DispatchState::kRunning);
  clock_.advance_ms(1);
  EXPECT_EQ(job->tick(), DispatchState::kFailed);
  EXPECT_NE(job->failure().find("no agent of the selection (group 'bed') was online for 30 s"),
            std::string::npos)
      << job->failure();
}

TEST_P(ShardDispatchTest, AnAgentComingBackInTimeKeepsTheJobAlive) {
  fake_.agents["agt_a"] = {.online = false};
  auto job = dispatch();
  ASSERT_TRUE(job->prepare());
  job->tick();
  clock_.advance_ms(options_.agent_wait.count() - 1000);
  fake_.agents["agt_a"].online = true;
  EXPECT_EQ(run(*job), DispatchState::kCompleted);
  EXPECT_EQ(stored(), fake_.open);
}

TEST_P(ShardDispatchTest, AShardRefusedAgainAndAgainFailsTheJobWithTheAgentsReason) {
  fake_.agents["agt_a"] = {.mode = FakeAgents::Mode::kRefuses};
  auto job = dispatch();
  ASSERT_TRUE(job->prepare());
  EXPECT_EQ(run(*job, 20), DispatchState::kFailed);
  EXPECT_EQ(fake_.count("agt_a", kShardStartCommand), options_.max_attempts);
  EXPECT_NE(job->failure().find("targets outside the scope sent"), std::string::npos)
      << job->failure();
  EXPECT_TRUE(stored().empty());
}

TEST_P(ShardDispatchTest, ABusyAgentIsNoFailureOfTheShard) {
  fake_.agents["agt_a"] = {.mode = FakeAgents::Mode::kBusy};
  auto job = dispatch();
  ASSERT_TRUE(job->prepare());
  EXPECT_EQ(run(*job, 10), DispatchState::kRunning);
  EXPECT_GE(fake_.count("agt_a", kShardStartCommand), 5);
  EXPECT_EQ(shards().front().attempts, 0);
  fake_.agents["agt_a"].mode = FakeAgents::Mode::kWorks;
  EXPECT_EQ(run(*job), DispatchState::kCompleted);
}

TEST_P(ShardDispatchTest, ResultsOutsideTheShardAreRefusedWhole) {
  fake_.agents["agt_a"] = {.mode = FakeAgents::Mode::kLies};
  options_.refusal_pause = std::chrono::milliseconds(5000);
  auto job = dispatch();
  ASSERT_TRUE(job->prepare());
  job->tick();
  job->tick();
  EXPECT_TRUE(stored().empty());
  const ShardRow shard = shards().front();
  EXPECT_EQ(shard.status, ShardStatus::kQueued);
  EXPECT_EQ(shard.attempts, 1);
  EXPECT_NE(shard.error.find("127.69.99.99"), std::string::npos) << shard.error;
}

TEST_P(ShardDispatchTest, CancelReachesEveryAgentHoldingAShard) {
  for (const char* id : {"agt_a", "agt_b"}) fake_.agents[id] = {.mode = FakeAgents::Mode::kSlow};
  auto job = dispatch();
  ASSERT_TRUE(job->prepare());
  job->tick();
  job->cancel();
  EXPECT_EQ(fake_.count("agt_a", kShardCancelCommand), 1);
  EXPECT_EQ(fake_.count("agt_b", kShardCancelCommand), 1);
  EXPECT_FALSE(fake_.agents["agt_a"].held);
}

INSTANTIATE_TEST_SUITE_P(Backends, ShardDispatchTest, ::testing::ValuesIn(test::kBackends),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::scanner
