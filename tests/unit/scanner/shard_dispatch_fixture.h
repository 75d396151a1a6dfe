#pragma once
// The dispatcher of a distributed job under test (src/scanner/shard_dispatch.h), shared by the
// shard_dispatch_*_test.cpp suites: agents played by a fake of our ScanAgents interface over a
// made-up network of 600 addresses, a job stored on SQLite or PostgreSQL (the test's parameter),
// and a manual clock.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "sentinel/scan/scan_scope.h"
#include "sentinel/scanner/scan_shard_protocol.h"
#include "src/scanner/shard_dispatch.h"
#include "src/scanner/sql_scan_repository.h"
#include "tests/support/test_database.h"

namespace sentinel::scanner::dispatch_test {

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

}  // namespace sentinel::scanner::dispatch_test
