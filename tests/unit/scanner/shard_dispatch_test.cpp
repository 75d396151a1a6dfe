// The dispatcher of a distributed job, round by round with a manual clock, on SQLite and
// PostgreSQL, with agents played by a fake of our ScanAgents interface: shards go to online
// agents one at a time each, results are stored once however often they come, a lease that runs
// out moves its shard to another agent, and a job without agents, or whose shards keep failing,
// fails with an error that says why.

#include "src/scanner/shard_dispatch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "sentinel/scan/scan_scope.h"
#include "sentinel/scanner/scan_shard_protocol.h"
#include "src/scanner/sql_scan_repository.h"
#include "tests/support/test_database.h"

namespace sentinel::scanner {
namespace {

using Pair = std::pair<std::string, std::uint16_t>;

/// Agents that answer the shard commands as told, scanning a made-up network: `open` holds the
/// (address, port) pairs that are open in it.
class FakeAgents final : public ScanAgents {
 public:
  enum class Mode {
    kWorks,    // done at the first poll, with every result of the shard
    kSlow,     // running: the first poll hands over some results, then nothing, forever
    kGone,     // not connected
    kRefuses,  // refuses every start (as for a target outside the scope it was sent)
    kBusy,     // holds another job's shard
    kForgets,  // accepts, then knows no shard (it restarted)
    kLies,     // reports a host outside its shard
    kPicky,    // refuses "discovery" for a reason other than not knowing it
  };

  struct Agent {
    Mode mode = Mode::kWorks;
    bool online = true;
    std::optional<ShardStart> held;
    int polls = 0;
    std::vector<std::string> networks;  // where it sits (CIDRs)
    std::string phase;                  // what a slow agent says it is doing
    std::vector<bool> starts;           // each start's "discovery", refused ones too
    bool before_discovery = false;      // built before host discovery: refuses a start naming it
    // What a slow agent reports as its pairs (total: the shard's addresses x ports unless set).
    std::optional<std::int64_t> pairs_total;
    std::int64_t pairs_done = 1;
    // Built before pairs of hosts up: with discovery too, its pairs count every address to the
    // end. Else a shard done with discovery reports its hosts up x ports.
    bool counts_every_address = false;
  };

  std::map<std::string, Agent> agents;
  std::set<Pair> open;
  std::vector<std::string> commands;  // "agent name shard"

  Result<std::vector<std::string>> unknown(const std::vector<std::string>& ids) override {
    std::vector<std::string> out;
    for (const std::string& id : ids) {
      if (agents.count(id) == 0) out.push_back(id);
    }
    return out;
  }

  Result<std::size_t> group_size(const std::string& group) override {
    return group == "bed" ? agents.size() : 0;
  }

  Result<std::vector<std::string>> online(const AgentSelection& selection) override {
    std::vector<std::string> out;
    for (const auto& [id, agent] : agents) {
      const bool selected =
          !selection.group.empty() || selection.networks ||
          std::find(selection.ids.begin(), selection.ids.end(), id) != selection.ids.end();
      if (selected && agent.online && agent.mode != Mode::kGone) out.push_back(id);
    }
    return out;
  }

  Result<std::vector<AgentSite>> sites() override {
    std::vector<AgentSite> out;
    for (const auto& [id, agent] : agents) {
      AgentSite site{id, {}};
      for (const std::string& cidr : agent.networks) {
        site.networks.push_back(scan::ScanScope::parse(cidr)->ranges().front());
      }
      if (!site.networks.empty()) out.push_back(std::move(site));
    }
    return out;
  }

  Result<AgentAnswer> command(const std::string& agent_id, const std::string& name,
                              boost::json::object args, std::chrono::milliseconds) override {
    Agent& agent = agents[agent_id];
    const auto shard = args.if_contains("shard");
    commands.push_back(agent_id + " " + name + " " +
                       (shard != nullptr ? std::to_string(shard->as_int64()) : "-"));
    if (!agent.online || agent.mode == Mode::kGone) return not_found("agent is not connected");
    if (name == kShardStartCommand) {
      agent.starts.push_back(args.contains("discovery"));
      if (agent.mode == Mode::kBusy) return AgentAnswer{false, {}, "busy: shard 0 of job 99"};
      if (agent.before_discovery && args.contains("discovery")) {
        return AgentAnswer{false, {}, old_agent_refusal(args)};
      }
      if (agent.mode == Mode::kPicky && args.contains("discovery")) {
        return AgentAnswer{false, {}, "discovery: must be true or false"};
      }
      if (agent.mode == Mode::kRefuses) {
        return AgentAnswer{false, {}, "targets outside the scope sent"};
      }
      auto start = decode_shard_start(args);
      EXPECT_TRUE(start) << start.error().message;
      EXPECT_FALSE(agent.held) << agent_id << " was given a second shard";
      agent.held = *start;
      return AgentAnswer{true, {{"accepted", true}, {"method", "connect"}}, {}};
    }
    if (name == kShardCancelCommand) {
      agent.held.reset();
      return AgentAnswer{true, {{"cancelled", true}}, {}};
    }
    // Poll.
    if (!agent.held || agent.mode == Mode::kForgets) {
      return AgentAnswer{false, {}, "no such shard"};
    }
    ++agent.polls;
    ShardReport report;
    auto targets = parse_shard_targets(agent.held->targets);
    EXPECT_TRUE(targets);
    const auto ports =
        static_cast<std::int64_t>(scan::PortList::parse(agent.held->ports)->tcp.size());
    report.pairs_total = static_cast<std::int64_t>(targets->size()) * ports;
    std::vector<FoundHost> found = hosts_in(*targets);
    // Discovery found the hosts with open ports by their SYN-ACK.
    if (agent.held->discovery) {
      for (FoundHost& host : found) host.reason = "syn-ack";
    }
    if (agent.mode == Mode::kLies) {
      report.hosts = {FoundHost{.address = *scan::IpAddress::parse("127.69.99.99"), .ports = {}}};
    } else if (agent.mode == Mode::kSlow) {
      if (agent.polls == 1 && !found.empty()) report.hosts = {found.front()};
      report.pairs_total = agent.pairs_total.value_or(report.pairs_total);
      report.pairs_done = agent.pairs_done;
      report.phase = agent.phase;
    } else {
      report.state = ShardState::kDone;
      report.hosts = found;
      if (agent.held->discovery) {
        // And the shard's first address, which has no open port, by ARP.
        const scan::IpAddress first = targets->at(0);
        if (std::none_of(found.begin(), found.end(),
                         [&](const FoundHost& host) { return host.address == first; })) {
          report.hosts.push_back(
              FoundHost{.address = first, .reason = "arp-response", .mac = "02:00:5e:10:00:01"});
        }
        // Every host it found is up: the port scan's pairs.
        if (!agent.counts_every_address) {
          report.pairs_total = static_cast<std::int64_t>(report.hosts.size()) * ports;
        }
      }
      report.pairs_done = report.pairs_total;
      for (const FoundHost& host : found) {
        report.open_found += static_cast<std::int64_t>(host.ports.size());
      }
      agent.held.reset();
    }
    return AgentAnswer{true, encode(report), {}};
  }

  // What an agent built before host discovery answered a start naming it: its strict decoder
  // (decode_shard_start before "discovery" was added, 8b4448e~10) refused every key it did not
  // know, in the words decode_shard_start still uses for a key it does not know. Derived from
  // the decoder, not typed: the start with "discovery" renamed to a key no decoder knows.
  static std::string old_agent_refusal(const boost::json::object& args) {
    constexpr std::string_view kStandIn = "no_such_field_standing_in";
    boost::json::object renamed = args;
    renamed[kStandIn] = renamed["discovery"];
    renamed.erase("discovery");
    const auto refused = decode_shard_start(renamed);
    EXPECT_FALSE(refused);
    if (refused) return "";
    std::string error = refused.error().message;
    const std::size_t at = error.find(kStandIn);
    EXPECT_NE(at, std::string::npos) << error;
    if (at == std::string::npos) return error;
    return error.replace(at, kStandIn.size(), "discovery");
  }

  int count(const std::string& agent_id, std::string_view name) const {
    const std::string prefix = agent_id + " " + std::string(name);
    return static_cast<int>(std::count_if(commands.begin(), commands.end(),
                                          [&](const auto& c) { return c.rfind(prefix, 0) == 0; }));
  }

 private:
  std::vector<FoundHost> hosts_in(const scan::TargetSet& targets) const {
    std::map<std::string, FoundHost> hosts;
    for (const auto& [address, port] : open) {
      const auto ip = *scan::IpAddress::parse(address);
      if (!targets.contains(ip)) continue;
      FoundHost& host = hosts[address];
      host.address = ip;
      host.ports.push_back({.port = port});
    }
    std::vector<FoundHost> out;
    for (auto& [address, host] : hosts) out.push_back(std::move(host));
    return out;
  }
};

class ShardDispatchTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto db = test::open_test_database(GetParam(), dir_);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    // 600 addresses: three shards of 200 for three agents.
    targets_ = *parse_shard_targets("127.69.0.0-127.69.2.87");
    fake_.open = {{"127.69.0.5", 22},
                  {"127.69.0.5", 80},
                  {"127.69.1.7", 443},
                  {"127.69.2.80", 22},
                  {"127.69.2.87", 8080}};
    ScanJob job;
    job.status = JobStatus::kRunning;
    job.targets = {"127.69.0.0-127.69.2.87"};
    job.ports = "22,80,443,8080";
    job.requested_by = "admin";
    job.agents = AgentSelection{.group = "bed", .ids = {}};
    ASSERT_TRUE(db_->transact([&](store::Connection& connection) -> Status {
      SENTINEL_ASSIGN(id, SqlScanRepository(connection).insert_job(job));
      job_id_ = id;
      return ok();
    }));
    options_.refusal_pause = std::chrono::milliseconds(0);
  }

  std::unique_ptr<ShardDispatch> dispatch(AgentSelection selection = {.group = "bed", .ids = {}},
                                          bool discovery = false, ProbeLimits limits = {}) {
    return std::make_unique<ShardDispatch>(*db_, fake_, clock_, options_,
                                           ShardJob{.id = job_id_,
                                                    .agents = std::move(selection),
                                                    .targets = &targets_,
                                                    .ports = {.tcp = {22, 80, 443, 8080}},
                                                    .scope = "127.69.0.0/16",
                                                    .raw = false,
                                                    .service_detection = false,
                                                    .discovery = discovery,
                                                    .limits = limits});
  }

  std::set<Pair> stored() {
    std::set<Pair> out;
    EXPECT_TRUE(db_->transact([&](store::Connection& connection) -> Status {
      SENTINEL_ASSIGN(hosts, SqlScanRepository(connection).results(job_id_));
      for (const FoundHost& host : hosts) {
        for (const FoundPort& port : host.ports) out.insert({host.address.to_string(), port.port});
      }
      return ok();
    }));
    return out;
  }

  std::vector<ShardRow> shards() {
    std::vector<ShardRow> out;
    EXPECT_TRUE(db_->transact([&](store::Connection& connection) -> Status {
      SENTINEL_ASSIGN(rows, SqlShardRepository(connection).list(job_id_));
      out = std::move(rows);
      return ok();
    }));
    return out;
  }

  // Ticks until the job ends or `rounds` pass, a second of manual time apart.
  DispatchState run(ShardDispatch& dispatch, int rounds = 100) {
    DispatchState state = DispatchState::kRunning;
    for (int i = 0; i < rounds && state == DispatchState::kRunning; ++i) {
      state = dispatch.tick();
      clock_.advance_ms(1000);
    }
    return state;
  }

  test::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  ManualClock clock_{1'700'000'000'000};
  FakeAgents fake_;
  ShardOptions options_;
  scan::TargetSet targets_ = scan::TargetSet::from_ranges({});
  std::int64_t job_id_ = 0;
};

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

TEST_P(ShardDispatchTest, WithDiscoveryTheShardsSayItAndHostsUpAreStoredWithHowTheyWereFound) {
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
    if (address != "127.69.0.0") EXPECT_EQ(host.reason, "syn-ack") << address;
  }
}

// A job split across agents counts its pairs as a server job does (scan_run.cpp): while a
// shard finds its live hosts, its addresses x ports with none done (the addresses found down
// are hosts done); once discovery is done, its hosts up x ports. Its percent never falls.
TEST_P(ShardDispatchTest, WithDiscoveryAShardsPairsBecomeItsHostsUpTimesPortsAsInAServerJob) {
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
TEST_P(ShardDispatchTest, AJobsPairsAreTheSumOfItsShardsEachInItsPhase) {
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
TEST_P(ShardDispatchTest, AShardScannedAgainCountsEveryAddressAgain) {
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
TEST_P(ShardDispatchTest, AnAgentThatCountsEveryAddressPastDiscoveryEndsWithEveryPairDone) {
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

TEST_P(ShardDispatchTest, WithoutDiscoveryTheStartLeavesItOut) {
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
TEST_P(ShardDispatchTest, AnAgentFromBeforeDiscoveryScansItsShardsWithoutAndTheJobSaysSo) {
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

TEST_P(ShardDispatchTest, AnOldAgentsShardIsInThePortsPhaseFromItsStart) {
  fake_.agents["agt_old"] = {.mode = FakeAgents::Mode::kSlow, .before_discovery = true};
  options_.shard_addresses = 600;
  auto job = dispatch({.group = "bed", .ids = {}}, true);
  ASSERT_TRUE(job->prepare());
  EXPECT_EQ(job->tick(), DispatchState::kRunning);  // leased without discovery, not yet polled
  ASSERT_TRUE(fake_.agents["agt_old"].held);
  EXPECT_EQ(job->counters().phase, "ports");
}

TEST_P(ShardDispatchTest, AnyOtherRefusalOfDiscoveryCountsAsAFailedAttempt) {
  fake_.agents["agt_a"] = {.mode = FakeAgents::Mode::kPicky};
  auto job = dispatch({.group = "bed", .ids = {}}, true);
  ASSERT_TRUE(job->prepare());
  EXPECT_EQ(run(*job, 20), DispatchState::kFailed);
  EXPECT_EQ(fake_.agents["agt_a"].starts, std::vector<bool>(options_.max_attempts, true));
  EXPECT_NE(job->failure().find("discovery: must be true or false"), std::string::npos)
      << job->failure();
  EXPECT_TRUE(job->warnings().empty());
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

TEST_P(ShardDispatchTest, AgentsNamedByIdAreTheOnlyOnesUsed) {
  for (const char* id : {"agt_a", "agt_b", "agt_c"}) fake_.agents[id] = {};
  auto job = dispatch({.group = "", .ids = {"agt_b"}});
  ASSERT_TRUE(job->prepare());
  EXPECT_EQ(run(*job), DispatchState::kCompleted);
  EXPECT_EQ(fake_.count("agt_a", kShardStartCommand), 0);
  EXPECT_EQ(fake_.count("agt_c", kShardStartCommand), 0);
  EXPECT_EQ(stored(), fake_.open);
}

// The job's 600 addresses span 127.69.0.0/24, 127.69.1.0/24 and 127.69.2.0-87.
TEST_P(ShardDispatchTest, ShardsOfAJobOnTheTargetNetworksGoOnlyToAgentsInTheirNetwork) {
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

TEST_P(ShardDispatchTest, AnAgentInAWiderNetworkTakesTheShardsOfTheNarrowerOnes) {
  options_.shard_addresses = 100;
  fake_.agents["agt_wide"] = {.networks = {"127.69.0.0/16"}};
  fake_.agents["agt_narrow"] = {.mode = FakeAgents::Mode::kGone, .networks = {"127.69.1.0/24"}};
  auto job = dispatch({.group = "", .ids = {}, .networks = true});
  ASSERT_TRUE(job->prepare());
  EXPECT_EQ(run(*job), DispatchState::kCompleted);
  EXPECT_EQ(stored(), fake_.open);
}

TEST_P(ShardDispatchTest, AJobOnTheTargetNetworksWaitsForTheAgentOfANetworkThenFailsNamingIt) {
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

TEST_P(ShardDispatchTest, AJobWithAddressesInNoAgentsNetworkIsNotCut) {
  fake_.agents["agt_low"] = {.networks = {"127.69.0.0/24"}};
  auto job = dispatch({.group = "", .ids = {}, .networks = true});
  const Status prepared = job->prepare();
  ASSERT_FALSE(prepared);
  EXPECT_EQ(prepared.error().field, "agents.networks");
  EXPECT_NE(prepared.error().message.find("127.69.1.0-127.69.2.87"), std::string::npos)
      << prepared.error().message;
  EXPECT_TRUE(shards().empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, ShardDispatchTest, ::testing::ValuesIn(test::kBackends),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::scanner
