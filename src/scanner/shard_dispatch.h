#pragma once
// One distributed job's shards and their agents (ADR 0005, "Scanner service"): the job is cut
// into shards, each leased to one online agent of the selection at a time (an agent holds one
// shard at a time, so a faster agent does more), polled every round, its results stored through
// the scan repository (keyed: nothing twice), and put back in the queue for another agent when
// its lease runs out. A job on the agents in the target networks is cut along the networks the
// agents' inventories put them in, and a shard goes only to an agent in its network. The caller
// drives it: one tick() per poll interval. State lives in the database, so a round reads and
// writes it; time comes from the injected clock.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "scan_shard_repository.h"
#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"
#include "sentinel/scan/port_list.h"
#include "sentinel/scan/target_set.h"
#include "sentinel/scanner/scan_agents.h"
#include "sentinel/scanner/scan_job.h"
#include "sentinel/scanner/scan_shard_protocol.h"
#include "sentinel/store/database.h"

namespace sentinel::scanner {

/// What the dispatcher needs to know of its job. `targets` must outlive the dispatcher.
struct ShardJob {
  std::int64_t id = 0;
  AgentSelection agents;
  const scan::TargetSet* targets = nullptr;
  scan::PortList ports;  // TCP and UDP, each ascending
  std::string scope;     // the scopes as CIDR text, sent with every shard
  bool raw = true;
  bool service_detection = false;
  bool discovery = false;  // each shard finds its live hosts first
  /// The job's caps: max_rate is the whole job's, divided among the agents that scan at once;
  /// max_concurrency goes to each agent as it is.
  ProbeLimits limits;
};

/// Where the job stands after a round.
enum class DispatchState : std::uint8_t { kRunning, kCompleted, kFailed };

/// Drives one job's shards. Not thread-safe: one thread calls prepare(), tick() and cancel().
class ShardDispatch {
 public:
  /// Every collaborator must outlive the dispatcher.
  ShardDispatch(store::Database& database, ScanAgents& agents, const Clock& clock,
                ShardOptions options, ShardJob job);

  /// Cuts the job into shards (sized for the agents online now) and stores them.
  Status prepare();
  /// One round: polls every shard in hand and stores what came back, requeues shards whose
  /// lease ran out or that failed, fails the job when a shard failed too often or no agent was
  /// online for agent_wait, and leases queued shards to free online agents.
  DispatchState tick();
  /// Why the job failed (after tick() returned kFailed).
  const std::string& failure() const { return failure_; }
  /// The job's counters as of the last round: the sum of its shards.
  const JobCounters& counters() const { return counters_; }
  /// Asks every agent holding a shard to stop (scan_shard_cancel); best effort.
  void cancel();
  /// What users should know of the job that is no failure, one line per agent: agents built
  /// before host discovery, whose shards scanned every address.
  const std::vector<std::string>& warnings() const { return warnings_; }
  /// `primary` (why the job failed or was cancelled; "" for none) and the warnings, as the
  /// job's note.
  std::string note(const std::string& primary) const;
  /// Writes note(primary) to the job while it runs (nothing without warnings), so that the
  /// job's end keeps both.
  void write_note(const std::string& primary);

 private:
  void poll(const ShardRow& shard, std::int64_t now);
  // Leases the lowest queued shard to the agent and starts it there; false when none is queued.
  bool lease_to(const std::string& agent_id, std::int64_t now);
  // Cuts the job along the networks the agents sit in (sites_, read), into shards of at most
  // `size` addresses; an error when some addresses lie in none.
  Result<std::vector<ShardSlice>> cut_along_sites(std::uint64_t size);
  Status store_report(const ShardRow& shard, const ShardReport& report, std::int64_t now);
  Status check_hosts(const ShardRow& shard, const std::vector<FoundHost>& hosts);
  void requeue(const ShardRow& shard, const std::string& error, bool count_attempt);
  void pause(const std::string& agent_id, std::int64_t now);
  // Remembers that `agent_id` predates host discovery (it refused "discovery" as unknown): its
  // shards go without from now on, the job is marked partial and warns once about it.
  void without_discovery(const std::string& agent_id, const ShardRow& shard,
                         const std::string& refusal);
  void sum_counters(const std::vector<ShardRow>& shards);
  // Whether the shard's agent finds its live hosts first.
  bool discovers(const ShardRow& shard) const;
  // The phase the shard last reported; one in hand not polled yet is in its first.
  std::string phase_of(const ShardRow& shard) const;
  // The shard's pairs: its hosts up x ports once its discovery is done, else addresses x ports.
  std::int64_t pairs_of(const ShardRow& shard) const;
  std::string selection_text() const;
  // Reads where the agents sit (jobs on the target networks), at most every kSitesTtl.
  Status read_sites(std::int64_t now);
  // Whether `agent_id` may hold `shard`: always, unless the shard is bound to a network the
  // agent does not sit in.
  bool may_take(const std::string& agent_id, const ShardRow& shard);

  store::Database& database_;
  ScanAgents& agents_;
  const Clock& clock_;
  const ShardOptions options_;
  const ShardJob job_;
  std::map<scan::IpAddress, std::vector<std::string>> names_;  // host names of the targets
  std::map<std::int64_t, scan::TargetSet> shard_targets_;      // parsed once per shard
  std::map<std::string, std::int64_t> paused_until_;           // agent -> ms
  std::optional<std::int64_t> no_agent_since_;
  // For jobs on the agents in the target networks: where each agent sits, read again every
  // kSitesTtl, and the shards' networks parsed once.
  std::map<std::string, std::vector<scan::AddressRange>> sites_;
  std::optional<std::int64_t> sites_read_ms_;
  std::map<std::string, std::optional<scan::AddressRange>> shard_networks_;
  // The phase each shard in hand last reported ("discovery", "ports", "services").
  std::map<std::int64_t, std::string> shard_phases_;
  // The pairs of each shard whose discovery is done (its hosts up x ports, as its agent
  // reported them), until it is requeued: a job's pairs shrink as a server job's do.
  std::map<std::int64_t, std::int64_t> shard_pairs_;
  // Agents built before host discovery: their shards start without it.
  std::set<std::string> without_discovery_;
  std::vector<std::string> warnings_;
  // Shards scanned at once when the job was cut (agents online then, at most the shards): the
  // job's max_rate is split evenly among them.
  std::size_t rate_shares_ = 1;
  JobCounters counters_;
  std::string failure_;
};

}  // namespace sentinel::scanner
