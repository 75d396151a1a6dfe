#include "shard_dispatch.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>

#include "logger.h"
#include "sentinel/scan/port_list.h"
#include "sentinel/scan/scan_scope.h"
#include "sentinel/scanner/scan_shard_protocol.h"
#include "sql_scan_repository.h"

namespace sentinel::scanner {
namespace {

// A cancel is a courtesy to an agent that is probably still there: do not wait long for it.
constexpr std::chrono::milliseconds kCancelTimeout{1000};

// How long where the agents sit is taken as known (their inventory changes rarely).
constexpr std::int64_t kSitesTtlMs = 30'000;

// The phases of a shard in the order it goes through them.
int phase_rank(std::string_view phase) {
  if (phase == "discovery") return 0;
  if (phase == "ports") return 1;
  return 2;
}

// An agent answers "busy" while it holds another shard (of this job's past or of another job):
// that is no failure of the shard.
bool is_busy(const std::string& error) { return error.rfind("busy", 0) == 0; }

std::map<scan::IpAddress, std::vector<std::string>> names_of(const scan::TargetSet& targets) {
  std::map<scan::IpAddress, std::vector<std::string>> out;
  for (const scan::ResolvedHost& host : targets.resolved_hosts()) {
    for (const scan::IpAddress& address : host.addresses) out[address].push_back(host.name);
  }
  return out;
}

}  // namespace

ShardDispatch::ShardDispatch(store::Database& database, ScanAgents& agents, const Clock& clock,
                             ShardOptions options, ShardJob job)
    : database_(database),
      agents_(agents),
      clock_(clock),
      options_(options),
      job_(std::move(job)),
      names_(names_of(*job_.targets)) {
  counters_.hosts_total = static_cast<std::int64_t>(job_.targets->size());
  counters_.pairs_total = counters_.hosts_total * static_cast<std::int64_t>(job_.ports.size());
}

std::string ShardDispatch::selection_text() const {
  if (!job_.agents.group.empty()) return fmt::format("group '{}'", job_.agents.group);
  if (job_.agents.networks) return "the agents in the target networks";
  return fmt::format("agents {}", fmt::join(job_.agents.ids, ", "));
}

Status ShardDispatch::read_sites(std::int64_t now) {
  if (sites_read_ms_ && now - *sites_read_ms_ < kSitesTtlMs) return ok();
  SENTINEL_ASSIGN(sites, agents_.sites());
  sites_.clear();
  for (AgentSite& site : sites) sites_[site.id] = std::move(site.networks);
  sites_read_ms_ = now;
  return ok();
}

bool ShardDispatch::may_take(const std::string& agent_id, const ShardRow& shard) {
  if (shard.network.empty()) return true;
  auto parsed = shard_networks_.find(shard.network);
  if (parsed == shard_networks_.end()) {
    std::optional<scan::AddressRange> network;
    if (auto scope = scan::ScanScope::parse(shard.network); scope && scope->ranges().size() == 1) {
      network = scope->ranges().front();
    }
    parsed = shard_networks_.emplace(shard.network, network).first;
  }
  const auto site = sites_.find(agent_id);
  if (!parsed->second || site == sites_.end()) return false;
  const scan::AddressRange& network = *parsed->second;
  return std::any_of(site->second.begin(), site->second.end(), [&](const scan::AddressRange& own) {
    return own.first.family() == network.first.family() && own.first <= network.first &&
           network.last <= own.last;
  });
}

Result<std::vector<ShardSlice>> ShardDispatch::cut_along_sites(std::uint64_t size) {
  std::vector<scan::AddressRange> networks;
  for (const auto& [id, own] : sites_) networks.insert(networks.end(), own.begin(), own.end());
  const NetworkSplit split = split_by_network(*job_.targets, std::move(networks));
  SENTINEL_TRY(require_covered(split));
  return cut_along_networks(split, size);
}

Status ShardDispatch::prepare() {
  std::vector<std::string> agents;
  if (Result<std::vector<std::string>> listed = agents_.online(job_.agents); listed) {
    agents = std::move(*listed);
  }
  if (job_.agents.networks) {
    // Shards are sized for the agents that sit somewhere, not for every agent online.
    SENTINEL_TRY(read_sites(clock_.now_ms()));
    std::erase_if(agents, [&](const std::string& id) { return sites_.count(id) == 0; });
  }
  const std::size_t online = std::max<std::size_t>(1, agents.size());
  const std::uint64_t size = shard_size_for(job_.targets->size(), online, options_.shard_addresses);
  std::vector<ShardSlice> slices;
  if (job_.agents.networks) {
    SENTINEL_ASSIGN(along, cut_along_sites(size));
    slices = std::move(along);
  } else {
    slices = cut_into_shards(*job_.targets, size);
  }
  rate_shares_ = std::max<std::size_t>(1, std::min(online, slices.size()));
  scanner_log().info("scan job={} shards={} addresses_per_shard={} agents_online={} ({})", job_.id,
                     slices.size(), size, online, selection_text());
  return database_.transact([&](store::Connection& connection) {
    return SqlShardRepository(connection)
        .insert(job_.id, slices, static_cast<std::int64_t>(job_.ports.size()));
  });
}

DispatchState ShardDispatch::tick() {
  const std::int64_t now = clock_.now_ms();
  const auto list = [&]() -> Result<std::vector<ShardRow>> {
    std::vector<ShardRow> rows;
    Status read = database_.transact([&](store::Connection& connection) -> Status {
      SENTINEL_ASSIGN(listed, SqlShardRepository(connection).list(job_.id));
      rows = std::move(listed);
      return ok();
    });
    if (!read) return read.error();
    return rows;
  };

  Result<std::vector<ShardRow>> shards = list();
  if (!shards) {
    failure_ = "reading the job's shards failed: " + shards.error().message;
    return DispatchState::kFailed;
  }
  for (const ShardRow& shard : *shards) {
    if (shard.status == ShardStatus::kLeased) poll(shard, now);
    if (!failure_.empty()) return DispatchState::kFailed;
  }

  shards = list();
  if (!shards) {
    failure_ = "reading the job's shards failed: " + shards.error().message;
    return DispatchState::kFailed;
  }
  bool all_done = true;
  std::set<std::string> holders;
  for (const ShardRow& shard : *shards) {
    if (shard.status != ShardStatus::kDone) all_done = false;
    if (shard.status == ShardStatus::kLeased) holders.insert(shard.agent_id);
    if (shard.status == ShardStatus::kQueued && shard.attempts >= options_.max_attempts) {
      failure_ = fmt::format("shard {} ({}) failed {} times; the last error: {}", shard.index,
                             shard.targets, shard.attempts, shard.error);
      sum_counters(*shards);
      return DispatchState::kFailed;
    }
  }
  if (all_done) {
    sum_counters(*shards);
    return DispatchState::kCompleted;
  }

  Result<std::vector<std::string>> online = agents_.online(job_.agents);
  if (!online) {
    scanner_log().warn("scan job={} cannot list the agents: {}", job_.id, online.error().message);
    online = std::vector<std::string>{};
  }
  if (job_.agents.networks) {
    if (Status read = read_sites(now); !read) {
      scanner_log().warn("scan job={} cannot read where the agents sit: {}", job_.id,
                         read.error().message);
    }
  }
  // Someone online can take a queued shard (in the job's networks, for such jobs).
  std::vector<std::string> waiting;  // the networks of queued shards nobody online can take
  bool takers = false;
  for (const ShardRow& shard : *shards) {
    if (shard.status != ShardStatus::kQueued) continue;
    const bool taken = std::any_of(online->begin(), online->end(), [&](const std::string& agent) {
      return may_take(agent, shard);
    });
    takers = takers || taken;
    if (!taken && !shard.network.empty() &&
        std::find(waiting.begin(), waiting.end(), shard.network) == waiting.end()) {
      waiting.push_back(shard.network);
    }
  }
  if (takers) {
    no_agent_since_.reset();
  } else if (holders.empty()) {
    if (!no_agent_since_) no_agent_since_ = now;
    if (now - *no_agent_since_ >= options_.agent_wait.count()) {
      failure_ = waiting.empty()
                     ? fmt::format("no agent of the selection ({}) was online for {} s",
                                   selection_text(), options_.agent_wait.count() / 1000)
                     : fmt::format("no agent that sits in {} was online for {} s",
                                   fmt::join(waiting, ", "), options_.agent_wait.count() / 1000);
      sum_counters(*shards);
      return DispatchState::kFailed;
    }
  }
  for (const std::string& agent : *online) {
    if (holders.count(agent) > 0) continue;
    if (const auto paused = paused_until_.find(agent);
        paused != paused_until_.end() && now < paused->second) {
      continue;
    }
    const bool leased = lease_to(agent, now);
    if (!failure_.empty()) return DispatchState::kFailed;
    // Without networks, an agent that got nothing means nothing is queued.
    if (!leased && !job_.agents.networks) break;
  }

  if (Result<std::vector<ShardRow>> latest = list(); latest) sum_counters(*latest);
  return DispatchState::kRunning;
}

void ShardDispatch::poll(const ShardRow& shard, std::int64_t now) {
  Result<AgentAnswer> answer =
      agents_.command(shard.agent_id, std::string(kShardPollCommand),
                      encode(ShardRef{job_.id, shard.index}), options_.command_timeout);
  if (!answer) {
    // Gone or slow: the lease decides. Until it runs out the agent may come back with its
    // results; after that the shard is another agent's to scan.
    if (now >= shard.lease_expires_ms) {
      scanner_log().warn("scan job={} shard={} agent={} lost: {}", job_.id, shard.index,
                         shard.agent_id, answer.error().message);
      requeue(shard,
              fmt::format("agent {} did not answer within the lease: {}", shard.agent_id,
                          answer.error().message),
              true);
    }
    return;
  }
  if (!answer->ok) {
    // The agent does not have the shard (it restarted) or cannot go on: at once to another.
    scanner_log().warn("scan job={} shard={} agent={} refused the poll: {}", job_.id, shard.index,
                       shard.agent_id, answer->error);
    requeue(shard, fmt::format("agent {}: {}", shard.agent_id, answer->error), true);
    pause(shard.agent_id, now);
    return;
  }
  Result<ShardReport> report = decode_shard_report(answer->result);
  Status checked = report ? check_hosts(shard, report->hosts) : Status(report.error());
  if (!checked) {
    scanner_log().warn("scan job={} shard={} agent={} sent a bad answer: {}", job_.id, shard.index,
                       shard.agent_id, checked.error().message);
    requeue(shard,
            fmt::format("agent {} sent a bad answer: {}", shard.agent_id, checked.error().message),
            true);
    pause(shard.agent_id, now);
    return;
  }
  if (report->state == ShardState::kRunning && !report->phase.empty()) {
    shard_phases_[shard.index] = report->phase;
  } else if (report->state != ShardState::kRunning) {
    shard_phases_.erase(shard.index);
  }
  // Once its discovery is done a shard's pairs are those its agent reports: its hosts up x
  // ports (an agent from before that says addresses x ports, the addresses found down done).
  const bool discovered = report->state == ShardState::kDone ||
                          (report->state == ShardState::kRunning && !report->phase.empty() &&
                           report->phase != "discovery");
  if (report->state == ShardState::kFailed) {
    shard_pairs_.erase(shard.index);
  } else if (discovered && discovers(shard)) {
    shard_pairs_[shard.index] = std::min(report->pairs_total, shard.pairs_total);
  }
  if (Status stored = store_report(shard, *report, now); !stored) {
    // The agent has handed these results over and forgotten them: the job cannot be whole.
    failure_ = "storing the results failed: " + stored.error().message;
    scanner_log().error("scan job={} {}", job_.id, failure_);
    return;
  }
  if (report->state == ShardState::kDone) {
    scanner_log().info("scan job={} shard={} done by agent={} open={}", job_.id, shard.index,
                       shard.agent_id, report->open_found);
  } else if (report->state == ShardState::kFailed) {
    scanner_log().warn("scan job={} shard={} failed on agent={}: {}", job_.id, shard.index,
                       shard.agent_id, report->error);
    pause(shard.agent_id, now);
  }
}

Status ShardDispatch::check_hosts(const ShardRow& shard, const std::vector<FoundHost>& hosts) {
  auto targets = shard_targets_.find(shard.index);
  if (targets == shard_targets_.end()) {
    SENTINEL_ASSIGN(parsed, parse_shard_targets(shard.targets));
    targets = shard_targets_.emplace(shard.index, std::move(parsed)).first;
  }
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    const FoundHost& host = hosts[i];
    if (!targets->second.contains(host.address)) {
      return invalid_argument(fmt::format("hosts[{}].address: {} is not in shard {}", i,
                                          host.address.to_string(), shard.index),
                              "hosts");
    }
    for (const FoundPort& port : host.ports) {
      const std::vector<std::uint16_t>& scanned =
          port.protocol == scan::Protocol::kUdp ? job_.ports.udp : job_.ports.tcp;
      if (!std::binary_search(scanned.begin(), scanned.end(), port.port)) {
        return invalid_argument(fmt::format("hosts[{}]: port {}/{} was not scanned", i, port.port,
                                            to_string(port.protocol)),
                                "hosts");
      }
      // Only UDP reads silence as open|filtered; a TCP port is reported open or not at all.
      if (port.state != scan::PortState::kOpen && port.protocol != scan::Protocol::kUdp) {
        return invalid_argument(fmt::format("hosts[{}]: port {}/{} cannot be {}", i, port.port,
                                            to_string(port.protocol), scan::to_string(port.state)),
                                "hosts");
      }
    }
  }
  return ok();
}

Status ShardDispatch::store_report(const ShardRow& shard, const ShardReport& report,
                                   std::int64_t now) {
  std::vector<FoundHost> hosts = report.hosts;
  for (FoundHost& host : hosts) {
    if (const auto named = names_.find(host.address); named != names_.end()) {
      host.hostnames = named->second;
    }
  }
  const ShardProgress progress{
      .pairs_done = std::min(report.pairs_done, pairs_of(shard)),
      .open_found = report.open_found,
      .rate = report.rate,
  };
  return database_.transact([&](store::Connection& connection) -> Status {
    SqlScanRepository results(connection);
    SENTINEL_TRY(results.add_hosts(job_.id, hosts, now));
    SENTINEL_TRY(results.add_ports(job_.id, hosts, now));
    // Services named after the ports were first reported arrive as the same ports again.
    SENTINEL_TRY(results.set_services(job_.id, hosts));
    SqlShardRepository shards(connection);
    switch (report.state) {
      case ShardState::kRunning: {
        SENTINEL_TRY(shards.renew(job_.id, shard.index, shard.agent_id, progress,
                                  now + options_.lease.count()));
        return ok();
      }
      case ShardState::kDone: {
        SENTINEL_TRY(shards.complete(job_.id, shard.index, shard.agent_id, progress));
        return ok();
      }
      case ShardState::kFailed: {
        SENTINEL_TRY(shards.requeue(
            job_.id, shard.index, shard.agent_id,
            fmt::format("agent {}: {}", shard.agent_id,
                        report.error.empty() ? std::string("the shard failed") : report.error),
            true));
        return ok();
      }
    }
    return ok();
  });
}

bool ShardDispatch::lease_to(const std::string& agent_id, std::int64_t now) {
  std::optional<ShardRow> leased;
  Status taken = database_.transact([&](store::Connection& connection) -> Status {
    SENTINEL_ASSIGN(shard,
                    SqlShardRepository(connection)
                        .lease_next(job_.id, agent_id, now + options_.lease.count(),
                                    job_.agents.networks ? std::function<bool(const ShardRow&)>(
                                                               [&](const ShardRow& shard) {
                                                                 return may_take(agent_id, shard);
                                                               })
                                                         : std::function<bool(const ShardRow&)>()));
    leased = std::move(shard);
    return ok();
  });
  if (!taken) {
    failure_ = "leasing a shard failed: " + taken.error().message;
    return false;
  }
  if (!leased) return false;  // nothing queued
  ShardStart start{.job_id = job_.id,
                   .shard = leased->index,
                   .targets = leased->targets,
                   .ports = job_.ports.format(),
                   .scope = job_.scope,
                   .raw = job_.raw,
                   .service_detection = job_.service_detection,
                   .discovery = job_.discovery && without_discovery_.count(agent_id) == 0,
                   .max_rate = job_.limits.max_rate
                                   ? std::optional<double>(*job_.limits.max_rate /
                                                           static_cast<double>(rate_shares_))
                                   : std::nullopt,
                   .max_concurrency = job_.limits.max_concurrency};
  Result<AgentAnswer> answer = agents_.command(agent_id, std::string(kShardStartCommand),
                                               encode(start), options_.command_timeout);
  if (start.discovery && answer && !answer->ok &&
      refuses_unknown_field(answer->error, "discovery")) {
    // An agent from before host discovery (the server is usually updated first): rather a
    // shard scanned address by address than none. At once, on the same lease, no attempt lost.
    without_discovery(agent_id, *leased, answer->error);
    if (!failure_.empty()) return false;
    start.discovery = false;
    answer = agents_.command(agent_id, std::string(kShardStartCommand), encode(start),
                             options_.command_timeout);
  }
  if (answer && answer->ok) {
    scanner_log().info("scan job={} shard={} ({}) leased to agent={}", job_.id, leased->index,
                       leased->targets, agent_id);
    return true;
  }
  const std::string error = answer ? answer->error : answer.error().message;
  // A busy or unreachable agent is no fault of the shard; an agent that refused it is.
  const bool count = answer && !is_busy(error);
  scanner_log().warn("scan job={} shard={} not taken by agent={}: {}", job_.id, leased->index,
                     agent_id, error);
  requeue(*leased, fmt::format("agent {}: {}", agent_id, error), count);
  pause(agent_id, now);
  return true;
}

void ShardDispatch::requeue(const ShardRow& shard, const std::string& error, bool count_attempt) {
  shard_phases_.erase(shard.index);  // its next lease starts from the first phase
  shard_pairs_.erase(shard.index);   // and from every address
  Status done = database_.transact([&](store::Connection& connection) -> Status {
    SENTINEL_TRY(SqlShardRepository(connection)
                     .requeue(job_.id, shard.index, shard.agent_id, error, count_attempt));
    return ok();
  });
  if (!done) {
    failure_ = fmt::format("requeueing shard {} failed: {}", shard.index, done.error().message);
  }
}

void ShardDispatch::pause(const std::string& agent_id, std::int64_t now) {
  paused_until_[agent_id] = now + options_.refusal_pause.count();
}

void ShardDispatch::without_discovery(const std::string& agent_id, const ShardRow& shard,
                                      const std::string& refusal) {
  without_discovery_.insert(agent_id);
  scanner_log().warn(
      "scan job={} shard={} agent={} predates host discovery ({}): its shards scan every address",
      job_.id, shard.index, agent_id, refusal);
  warnings_.push_back(fmt::format(
      "agent {} predates host discovery: its shards scanned every address (hosts without an "
      "open or closed port there are missing); update the agent",
      agent_id));
  Status written = database_.transact([&](store::Connection& connection) -> Status {
    SqlScanRepository jobs(connection);
    SENTINEL_TRY(jobs.mark_discovery_partial(job_.id));
    SENTINEL_TRY(jobs.set_note(job_.id, note("")));
    return ok();
  });
  if (!written) {
    // Without the mark the diff would read addresses it never looked at as hosts gone.
    failure_ = "recording the agent without host discovery failed: " + written.error().message;
  }
}

std::string ShardDispatch::note(const std::string& primary) const {
  std::vector<std::string> lines;
  if (!primary.empty()) lines.push_back(primary);
  lines.insert(lines.end(), warnings_.begin(), warnings_.end());
  return fmt::format("{}", fmt::join(lines, "; "));
}

void ShardDispatch::write_note(const std::string& primary) {
  if (warnings_.empty()) return;
  Status written = database_.transact([&](store::Connection& connection) -> Status {
    return SqlScanRepository(connection).set_note(job_.id, note(primary));
  });
  if (!written) {
    scanner_log().warn("scan job={} note not stored: {}", job_.id, written.error().message);
  }
}

void ShardDispatch::cancel() {
  std::vector<ShardRow> shards;
  Status read = database_.transact([&](store::Connection& connection) -> Status {
    SENTINEL_ASSIGN(listed, SqlShardRepository(connection).list(job_.id));
    shards = std::move(listed);
    return ok();
  });
  if (!read) return;
  for (const ShardRow& shard : shards) {
    if (shard.status != ShardStatus::kLeased) continue;
    Result<AgentAnswer> answer =
        agents_.command(shard.agent_id, std::string(kShardCancelCommand),
                        encode(ShardRef{job_.id, shard.index}), kCancelTimeout);
    if (!answer || !answer->ok) {
      scanner_log().info("scan job={} shard={} cancel not confirmed by agent={}", job_.id,
                         shard.index, shard.agent_id);
    }
  }
}

bool ShardDispatch::discovers(const ShardRow& shard) const {
  return job_.discovery && without_discovery_.count(shard.agent_id) == 0;
}

std::string ShardDispatch::phase_of(const ShardRow& shard) const {
  const auto reported = shard_phases_.find(shard.index);
  if (reported != shard_phases_.end()) return reported->second;
  return discovers(shard) ? "discovery" : "ports";
}

std::int64_t ShardDispatch::pairs_of(const ShardRow& shard) const {
  const auto reported = shard_pairs_.find(shard.index);
  return reported == shard_pairs_.end() ? shard.pairs_total : reported->second;
}

void ShardDispatch::sum_counters(const std::vector<ShardRow>& shards) {
  const auto ports = static_cast<std::int64_t>(job_.ports.size());
  // Hosts with every pair done: those found down count with all their ports.
  const auto hosts = [ports](std::int64_t pairs) { return ports == 0 ? 0 : pairs / ports; };
  JobCounters sum;
  sum.hosts_total = counters_.hosts_total;
  for (const ShardRow& shard : shards) {
    const std::int64_t pairs = pairs_of(shard);
    sum.pairs_total += pairs;
    if (shard.status == ShardStatus::kDone) {
      sum.pairs_done += pairs;
      sum.hosts_done += shard.address_count;
      sum.open_found += shard.open_found;
    } else if (shard.status == ShardStatus::kLeased) {
      // The job is in the earliest phase of a shard in hand.
      const std::string phase = phase_of(shard);
      if (sum.phase.empty() || phase_rank(phase) < phase_rank(sum.phase)) sum.phase = phase;
      if (phase == "discovery") {
        // As in a server job, no pair is done while the hosts are being found (the pairs of
        // those found up are yet to scan; those found down go when discovery ends), so the
        // percent does not fall when the shard's pairs shrink to its hosts up; the hosts found
        // down are done.
        sum.hosts_done += hosts(shard.pairs_done);
      } else {
        const std::int64_t done = std::min(shard.pairs_done, pairs);
        sum.pairs_done += done;
        // The addresses beyond the hosts up were found down.
        sum.hosts_done += hosts(shard.pairs_total - pairs + done);
      }
      sum.open_found += shard.open_found;
      sum.rate += shard.rate;
    }
  }
  counters_ = sum;
}

}  // namespace sentinel::scanner
