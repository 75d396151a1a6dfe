// A distributed job with host discovery (tests/unit/scanner/shard_dispatch_fixture.h): shards
// say whether to find hosts first, hosts up are stored with how they were found, the job counts
// its pairs as a server job does through every shard's phase, and agents from before discovery
// scan their shards without it while the job says so.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/unit/scanner/shard_dispatch_fixture.h"

namespace sentinel::scanner {
namespace {

using namespace dispatch_test;

class ShardDiscoveryTest : public ShardDispatchTest {};

TEST_P(ShardDiscoveryTest, WithDiscoveryTheShardsSayItAndHostsUpAreStoredWithHowTheyWereFound) {
  fake_.agents["agt_a"] = {.mode = FakeAgents::Mode::kSlow};
  options_.shard_addresses = 600;
  auto job = dispatch({.group = "bed", .ids = {}}, true);
  ASSERT_TRUE(job->prepare());
  EXPECT_EQ(job->tick(), DispatchState::kRunning);  // leased, not yet polled: its first phase
  ASSERT_TRUE(fake_.agents["agt_a"].held);
  EXPECT_TRUE(fake_.agents["agt_a"].held->discovery);
  EXPECT_EQ(job->counters().phase, "discovery");
  fake_.agents["agt_a"].phase = "ports";
  EXPECT_EQ(job->tick(), DispatchState::kRunning);
  EXPECT_EQ(job->counters().phase, "ports");

  fake_.agents["agt_a"].mode = FakeAgents::Mode::kWorks;
  EXPECT_EQ(run(*job), DispatchState::kCompleted);
  EXPECT_EQ(job->counters().phase, "");
  EXPECT_EQ(stored(), fake_.open);
  std::map<std::string, FoundHost> hosts;
  ASSERT_TRUE(db_->transact([&](store::Connection& connection) -> Status {
    SENTINEL_ASSIGN(found, SqlScanRepository(connection).results(job_id_));
    for (FoundHost& host : found) hosts[host.address.to_string()] = std::move(host);
    return ok();
  }));
  ASSERT_EQ(hosts.count("127.69.0.0"), 1u);
  const FoundHost& quiet = hosts.at("127.69.0.0");
  EXPECT_TRUE(quiet.ports.empty());
  EXPECT_EQ(quiet.reason, "arp-response");
  EXPECT_EQ(quiet.mac, "02:00:5e:10:00:01");
  EXPECT_EQ(hosts.size(), 5u);  // the four with open ports too
  for (const auto& [address, host] : hosts) {
    if (address != "127.69.0.0") {
      EXPECT_EQ(host.reason, "syn-ack") << address;
    }
  }
}

// A job split across agents counts its pairs as a server job does (scan_run.cpp): while a
// shard finds its live hosts, its addresses x ports with none done (the addresses found down
// are hosts done); once discovery is done, its hosts up x ports. Its percent never falls.
TEST_P(ShardDiscoveryTest, WithDiscoveryAShardsPairsBecomeItsHostsUpTimesPortsAsInAServerJob) {
  fake_.agents["agt_a"] = {.mode = FakeAgents::Mode::kSlow};
  FakeAgents::Agent& agent = fake_.agents["agt_a"];
  options_.shard_addresses = 600;  // one shard: 600 addresses x 4 ports
  auto job = dispatch({.group = "bed", .ids = {}}, true);
  ASSERT_TRUE(job->prepare());
  std::vector<double> percents;
  const auto round = [&] {
    EXPECT_EQ(job->tick(), DispatchState::kRunning);
    percents.push_back(job->counters().percent());
    return job->counters();
  };

  JobCounters counters = round();  // leased, not yet polled
  EXPECT_EQ(counters.phase, "discovery");
  EXPECT_EQ(counters.pairs_total, 2400);
  EXPECT_EQ(counters.pairs_done, 0);

  // 590 addresses found down so far, in the agent's pairs of the whole shard.
  agent.phase = "discovery";
  agent.pairs_done = 590 * 4;
  counters = round();
  EXPECT_EQ(counters.pairs_total, 2400);
  EXPECT_EQ(counters.pairs_done, 0);
  EXPECT_EQ(counters.hosts_done, 590);
  EXPECT_EQ(counters.hosts_total, 600);

  // Discovery found 5 hosts up: 20 pairs, 8 of them done (two hosts).
  agent.phase = "ports";
  agent.pairs_total = 5 * 4;
  agent.pairs_done = 8;
  counters = round();
  EXPECT_EQ(counters.phase, "ports");
  EXPECT_EQ(counters.pairs_total, 20);
  EXPECT_EQ(counters.pairs_done, 8);
  EXPECT_EQ(counters.hosts_done, 595 + 2);
  EXPECT_EQ(counters.hosts_total, 600);

  agent.phase = "services";
  agent.pairs_done = 20;
  counters = round();
  EXPECT_EQ(counters.pairs_total, 20);
  EXPECT_EQ(counters.pairs_done, 20);
  EXPECT_EQ(counters.hosts_done, 600);

  agent.mode = FakeAgents::Mode::kWorks;  // done: its 5 hosts up (fake_.open and one by ARP)
  EXPECT_EQ(run(*job), DispatchState::kCompleted);
  percents.push_back(job->counters().percent());
  EXPECT_EQ(job->counters().phase, "");
  EXPECT_EQ(job->counters().pairs_total, 20);
  EXPECT_EQ(job->counters().pairs_done, 20);
  EXPECT_EQ(job->counters().hosts_done, 600);
  EXPECT_TRUE(std::is_sorted(percents.begin(), percents.end()))
      << ::testing::PrintToString(percents);
}

// Several shards at once: those still finding hosts count every address with none done, those
// past it their hosts up, the queued ones every address; the sum never falls in percent.
TEST_P(ShardDiscoveryTest, AJobsPairsAreTheSumOfItsShardsEachInItsPhase) {
  options_.shard_addresses = 200;  // three shards of 200 addresses x 4 ports, two agents
  fake_.agents["agt_a"] = {.mode = FakeAgents::Mode::kSlow};
  fake_.agents["agt_b"] = {.mode = FakeAgents::Mode::kSlow};
  auto job = dispatch({.group = "bed", .ids = {}}, true);
  ASSERT_TRUE(job->prepare());
  EXPECT_EQ(job->tick(), DispatchState::kRunning);
  EXPECT_EQ(job->counters().pairs_total, 2400);
  const double leased = job->counters().percent();

  fake_.agents["agt_a"].phase = "discovery";
  fake_.agents["agt_a"].pairs_done = 150 * 4;
  fake_.agents["agt_b"].phase = "ports";
  fake_.agents["agt_b"].pairs_total = 10 * 4;
  fake_.agents["agt_b"].pairs_done = 20;
  EXPECT_EQ(job->tick(), DispatchState::kRunning);
  EXPECT_EQ(job->counters().phase, "discovery");
  EXPECT_EQ(job->counters().pairs_total, 800 + 40 + 800);
  EXPECT_EQ(job->counters().pairs_done, 20);
  EXPECT_EQ(job->counters().hosts_done, 150 + 190 + 5);
  const double discovering = job->counters().percent();
  EXPECT_GE(discovering, leased);

  fake_.agents["agt_a"].phase = "ports";
  fake_.agents["agt_a"].pairs_total = 50 * 4;
  fake_.agents["agt_a"].pairs_done = 0;
  EXPECT_EQ(job->tick(), DispatchState::kRunning);
  EXPECT_EQ(job->counters().phase, "ports");
  EXPECT_EQ(job->counters().pairs_total, 200 + 40 + 800);
  EXPECT_EQ(job->counters().pairs_done, 20);
  EXPECT_EQ(job->counters().hosts_done, 150 + 190 + 5);
  EXPECT_GE(job->counters().percent(), discovering);
}

// A shard scanned again (its agent lost it) finds its hosts again: every address until then.
TEST_P(ShardDiscoveryTest, AShardScannedAgainCountsEveryAddressAgain) {
  fake_.agents["agt_a"] = {
      .mode = FakeAgents::Mode::kSlow, .phase = "ports", .pairs_total = 5 * 4, .pairs_done = 8};
  options_.shard_addresses = 600;
  auto job = dispatch({.group = "bed", .ids = {}}, true);
  ASSERT_TRUE(job->prepare());
  EXPECT_EQ(job->tick(), DispatchState::kRunning);
  EXPECT_EQ(job->tick(), DispatchState::kRunning);
  EXPECT_EQ(job->counters().pairs_total, 20);

  // It restarted: the shard is leased again, to it, and starts from discovery.
  fake_.agents["agt_a"].mode = FakeAgents::Mode::kForgets;
  fake_.agents["agt_a"].held.reset();
  EXPECT_EQ(job->tick(), DispatchState::kRunning);
  ASSERT_EQ(shards().front().status, ShardStatus::kLeased);
  EXPECT_EQ(shards().front().attempts, 1);
  EXPECT_EQ(job->counters().phase, "discovery");
  EXPECT_EQ(job->counters().pairs_total, 2400);
  EXPECT_EQ(job->counters().pairs_done, 0);
}

// An agent from before pairs of hosts up counts every address past discovery too, those found
// down done: that stands, and its job still ends with every pair done.
TEST_P(ShardDiscoveryTest, AnAgentThatCountsEveryAddressPastDiscoveryEndsWithEveryPairDone) {
  fake_.agents["agt_a"] = {.mode = FakeAgents::Mode::kSlow, .counts_every_address = true};
  FakeAgents::Agent& agent = fake_.agents["agt_a"];
  options_.shard_addresses = 600;
  auto job = dispatch({.group = "bed", .ids = {}}, true);
  ASSERT_TRUE(job->prepare());
  EXPECT_EQ(job->tick(), DispatchState::kRunning);
  agent.phase = "discovery";
  agent.pairs_done = 590 * 4;
  EXPECT_EQ(job->tick(), DispatchState::kRunning);
  EXPECT_EQ(job->counters().pairs_done, 0);
  EXPECT_EQ(job->counters().hosts_done, 590);

  agent.phase = "ports";
  agent.pairs_done = 595 * 4 + 8;
  EXPECT_EQ(job->tick(), DispatchState::kRunning);
  EXPECT_EQ(job->counters().pairs_total, 2400);
  EXPECT_EQ(job->counters().pairs_done, 595 * 4 + 8);
  EXPECT_EQ(job->counters().hosts_done, 597);

  agent.mode = FakeAgents::Mode::kWorks;
  EXPECT_EQ(run(*job), DispatchState::kCompleted);
  EXPECT_EQ(job->counters().pairs_total, 2400);
  EXPECT_EQ(job->counters().pairs_done, 2400);
  EXPECT_EQ(job->counters().hosts_done, 600);
}

TEST_P(ShardDiscoveryTest, WithoutDiscoveryTheStartLeavesItOut) {
  fake_.agents["agt_a"] = {.mode = FakeAgents::Mode::kSlow};
  auto job = dispatch();
  ASSERT_TRUE(job->prepare());
  job->tick();
  ASSERT_TRUE(fake_.agents["agt_a"].held);
  EXPECT_FALSE(fake_.agents["agt_a"].held->discovery);
  EXPECT_EQ(job->counters().phase, "ports");
}

// The server is updated first, the agents later: an agent built before host discovery refuses
// "discovery" as an unknown field. Its shard starts again on it at once without discovery (no
// failed attempt), its later shards go without, an updated agent's shards of the same job keep
// discovery, and the job says once which agent scanned every address.
TEST_P(ShardDiscoveryTest, AnAgentFromBeforeDiscoveryScansItsShardsWithoutAndTheJobSaysSo) {
  options_.shard_addresses = 100;  // six shards for two agents
  options_.refusal_pause = std::chrono::milliseconds(5000);
  fake_.agents["agt_new"] = {};
  fake_.agents["agt_old"] = {.before_discovery = true};
  auto job = dispatch({.group = "bed", .ids = {}}, true);
  ASSERT_TRUE(job->prepare());
  ASSERT_EQ(shards().size(), 6u);

  EXPECT_EQ(job->tick(), DispatchState::kRunning);
  // Both agents took a shard in the first round: the old one's second start had no discovery.
  std::map<std::string, std::int64_t> first_shard;
  for (const ShardRow& shard : shards()) {
    if (shard.status != ShardStatus::kLeased) continue;
    first_shard[shard.agent_id] = shard.index;
    EXPECT_EQ(shard.attempts, 0);
  }
  ASSERT_EQ(first_shard.size(), 2u);
  EXPECT_EQ(fake_.agents["agt_old"].starts, (std::vector<bool>{true, false}));
  ASSERT_TRUE(fake_.agents["agt_old"].held);
  EXPECT_FALSE(fake_.agents["agt_old"].held->discovery);
  EXPECT_EQ(fake_.agents["agt_old"].held->shard, first_shard["agt_old"]);

  EXPECT_EQ(run(*job), DispatchState::kCompleted);
  EXPECT_EQ(stored(), fake_.open);
  // Later shards went to the old agent without discovery straight away; the new one's kept it.
  const std::vector<bool>& old_starts = fake_.agents["agt_old"].starts;
  ASSERT_GE(old_starts.size(), 3u);
  EXPECT_EQ(std::count(old_starts.begin(), old_starts.end(), true), 1);
  const std::vector<bool>& new_starts = fake_.agents["agt_new"].starts;
  ASSERT_GE(new_starts.size(), 2u);
  EXPECT_EQ(std::count(new_starts.begin(), new_starts.end(), false), 0);
  std::map<std::int64_t, std::string> scanned_by;
  for (const ShardRow& shard : shards()) {
    EXPECT_EQ(shard.status, ShardStatus::kDone);
    EXPECT_EQ(shard.attempts, 0) << shard.targets;
    scanned_by[shard.index] = shard.agent_id;
  }

  // The old agent's hosts are stored as in a -Pn scan (no reason, no MAC), the new one's with
  // how discovery found them.
  ScanJob stored_job;
  std::vector<FoundHost> hosts;
  ASSERT_TRUE(db_->transact([&](store::Connection& connection) -> Status {
    SqlScanRepository jobs(connection);
    SENTINEL_ASSIGN(found, jobs.results(job_id_));
    hosts = std::move(found);
    SENTINEL_ASSIGN(read, jobs.find(job_id_));
    if (read) stored_job = std::move(*read);
    return ok();
  }));
  int by_old = 0;
  int by_new = 0;
  for (const FoundHost& host : hosts) {
    std::string agent;
    for (const ShardRow& shard : shards()) {
      if (parse_shard_targets(shard.targets)->contains(host.address)) agent = shard.agent_id;
    }
    if (agent == "agt_old") {
      ++by_old;
      EXPECT_EQ(host.reason, "") << host.address.to_string();
      EXPECT_EQ(host.mac, "") << host.address.to_string();
    } else {
      ++by_new;
      EXPECT_FALSE(host.reason.empty()) << host.address.to_string();
    }
  }
  EXPECT_GT(by_old, 0);
  EXPECT_GT(by_new, 0);
  // The old agent's shards count every address, the new one's their hosts up.
  std::int64_t old_addresses = 0;
  for (const ShardRow& shard : shards()) {
    if (shard.agent_id == "agt_old") old_addresses += shard.address_count;
  }
  EXPECT_EQ(job->counters().pairs_total, (old_addresses + by_new) * 4);
  EXPECT_EQ(job->counters().pairs_done, job->counters().pairs_total);
  EXPECT_EQ(job->counters().hosts_done, 600);

  // One warning, naming the old agent, in the job as users read it; the diff knows.
  ASSERT_EQ(job->warnings().size(), 1u);
  EXPECT_NE(job->warnings().front().find("agt_old"), std::string::npos);
  EXPECT_EQ(stored_job.error, job->warnings().front());
  EXPECT_TRUE(stored_job.discovery_partial);
  EXPECT_EQ(job->note("why it failed"), "why it failed; " + job->warnings().front());
}

TEST_P(ShardDiscoveryTest, AnOldAgentsShardIsInThePortsPhaseFromItsStart) {
  fake_.agents["agt_old"] = {.mode = FakeAgents::Mode::kSlow, .before_discovery = true};
  options_.shard_addresses = 600;
  auto job = dispatch({.group = "bed", .ids = {}}, true);
  ASSERT_TRUE(job->prepare());
  EXPECT_EQ(job->tick(), DispatchState::kRunning);  // leased without discovery, not yet polled
  ASSERT_TRUE(fake_.agents["agt_old"].held);
  EXPECT_EQ(job->counters().phase, "ports");
}

TEST_P(ShardDiscoveryTest, AnyOtherRefusalOfDiscoveryCountsAsAFailedAttempt) {
  fake_.agents["agt_a"] = {.mode = FakeAgents::Mode::kPicky};
  auto job = dispatch({.group = "bed", .ids = {}}, true);
  ASSERT_TRUE(job->prepare());
  EXPECT_EQ(run(*job, 20), DispatchState::kFailed);
  EXPECT_EQ(fake_.agents["agt_a"].starts, std::vector<bool>(options_.max_attempts, true));
  EXPECT_NE(job->failure().find("discovery: must be true or false"), std::string::npos)
      << job->failure();
  EXPECT_TRUE(job->warnings().empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, ShardDiscoveryTest, ::testing::ValuesIn(test::kBackends),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::scanner
