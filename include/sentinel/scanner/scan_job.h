#pragma once
// The scanner service's values: a scan as requested, a job and its progress, and what a job
// found (hosts that answered, their open ports and services).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/ip_address.h"
#include "sentinel/scan/port_list.h"
#include "sentinel/scan/scan_report.h"
#include "sentinel/scan/service_probes.h"

namespace sentinel::scanner {

/// A job's place in its lifecycle: queued -> running -> completed | cancelled | failed (a queued
/// job may also be cancelled directly).
enum class JobStatus : std::uint8_t { kQueued, kRunning, kCompleted, kCancelled, kFailed };

/// "queued", "running", "completed", "cancelled" or "failed".
std::string_view to_string(JobStatus status);
std::optional<JobStatus> parse_job_status(std::string_view text);
/// True for completed, cancelled and failed: nothing will change the job any more.
bool is_final(JobStatus status);

/// Where a job's results came from.
inline constexpr std::string_view kSourceScan = "scan";
inline constexpr std::string_view kSourceNmapImport = "nmap-import";

/// Named port selections: quick = top 100 ports, standard = top 1,000, full = all 65,535.
enum class ScanProfile : std::uint8_t { kQuick, kStandard, kFull };

/// "quick", "standard" or "full".
std::string_view to_string(ScanProfile profile);
std::optional<ScanProfile> parse_scan_profile(std::string_view text);
/// The port spec a profile stands for: "top100", "top1000" or "all".
std::string_view port_spec_of(ScanProfile profile);

/// The agents a distributed job runs on (ADR 0005, "Scanner service"): the agents of a group,
/// agents named by id, or the agents that sit in the target networks (by the interfaces their
/// inventory reports; each shard lies in one such network and goes only to agents in it).
/// Exactly one of the three is set. A plain value.
struct AgentSelection {
  std::string group;             // the agents' group ("" otherwise)
  std::vector<std::string> ids;  // agent ids ("agt_...")
  bool networks = false;         // the agents in the target networks

  friend bool operator==(const AgentSelection&, const AgentSelection&) = default;
};

/// A job that nmap runs instead of our engine (`"backend": "nmap"`): for NSE scripts and OS
/// detection. A plain value.
struct NmapOptions {
  /// Script names ("ssl-cert") or the categories "default", "safe", "discovery" and "version";
  /// scripts of nmap's brute, dos, exploit, fuzzer and intrusive categories are refused.
  std::vector<std::string> scripts;
  bool os_detection = false;  // nmap -O: needs raw sockets

  friend bool operator==(const NmapOptions&, const NmapOptions&) = default;
};

/// Caps a job puts on its probing (the request's "max_rate" and "max_concurrency", nmap's
/// --max-rate and --max-parallelism), over every phase the engine runs: host discovery, the
/// port scan and service detection's connections. Unset: the engine's own limits. A plain value.
struct ProbeLimits {
  /// Probes per second for the whole job (split evenly across the agents of a distributed job).
  std::optional<double> max_rate;
  /// Probes in flight at most, per engine (each agent of a distributed job has its own).
  std::optional<std::int64_t> max_concurrency;

  bool empty() const { return !max_rate && !max_concurrency; }
  friend bool operator==(const ProbeLimits&, const ProbeLimits&) = default;
};

/// Bounds of ProbeLimits in a request.
inline constexpr double kMaxProbeRate = 1'000'000;
inline constexpr std::int64_t kMaxProbeConcurrency = 65'535;

/// A scan as the caller asked for it (the body of POST /api/v1/scans, parsed). A plain value.
struct ScanRequest {
  std::vector<std::string> targets;  // addresses, CIDRs, ranges, host names (scan::TargetSet)
  std::vector<std::string> exclude;
  /// The port spec: "topN" (1 <= N <= 65535) or "all" (TCP), or a list ("1-1024,8080",
  /// "T:22,U:53,161": U: entries are UDP ports). Empty when the body named only a profile or
  /// neither; the service then uses the profile's (or standard's).
  std::string ports;
  std::optional<ScanProfile> profile;
  /// Required (true) for more than scan::kLargeScanAddresses addresses.
  bool confirm_large = false;
  /// Set: the job is cut into shards that these agents scan; unset: the server's engine runs it.
  std::optional<AgentSelection> agents;
  /// Set: nmap runs the job (on the server; not with agents).
  std::optional<NmapOptions> nmap;
  /// Find live hosts first and port-scan only those (false: every address, like nmap -Pn).
  /// Unset: the default, on (on the server, engine or nmap, and in agents' shards alike).
  std::optional<bool> discovery;
  /// Rate and concurrency caps; empty: the engine's own.
  ProbeLimits limits;
};

/// A job's counters as last written. `rate` is probes per second.
struct JobCounters {
  std::int64_t pairs_total = 0;  // addresses x ports
  std::int64_t pairs_done = 0;
  std::int64_t open_found = 0;
  std::int64_t hosts_total = 0;
  std::int64_t hosts_done = 0;  // hosts whose every port has a final state
  double rate = 0;
  /// What a running job is doing: "discovery" (when it finds live hosts first), "ports", then
  /// "services" (our engine; for a job split across agents the earliest phase of a shard in
  /// hand); nmap's "discovery", "ports", "services", "scripts" or "os". "" when not known
  /// (queued, ended, agents that do not say).
  std::string phase;

  /// pairs_done / pairs_total in 0..100 (100 for an empty job).
  double percent() const;
};

/// One scan job as stored. A plain value.
struct ScanJob {
  std::int64_t id = 0;
  std::string source = std::string(kSourceScan);
  JobStatus status = JobStatus::kQueued;
  std::vector<std::string> targets;
  std::vector<std::string> exclude;
  std::string ports;  // the spec as resolved: "top1000", "1-1024,8080"; "" for imports
  std::optional<ScanProfile> profile;
  std::string scope_key;  // same targets and ports <=> same key; "" for imports
  std::string method;     // "connect", "syn"; "" until the job runs, and for imports
  std::string requested_by;
  std::int64_t created_ms = 0;
  std::optional<std::int64_t> started_ms;
  std::optional<std::int64_t> finished_ms;
  JobCounters counters;
  /// Why a job failed or was cancelled by the system, and warnings of a job split across agents
  /// (agents from before host discovery), joined by "; "; "" when there is nothing to say.
  std::string error;
  std::optional<AgentSelection> agents;  // set for a job split across agents
  std::optional<NmapOptions> nmap;       // set for a job nmap runs
  /// Whether the job found live hosts first (true) or scanned every address (false); unset for
  /// imports and jobs stored before discovery existed.
  std::optional<bool> discovery;
  /// A job split across agents that asked for discovery, some of whose shards ran without it
  /// (agents built before host discovery scanned every address of theirs); the job's note says
  /// which agents. Not in the API; the diff reads it.
  bool discovery_partial = false;
  /// The caps the job was started with (empty for imports and jobs that set none).
  ProbeLimits limits;
};

/// Filters of GET /api/v1/scans. Newest first.
struct ScanJobFilter {
  std::optional<JobStatus> status;
  std::int64_t limit = 50;  // 1..1000
  std::int64_t offset = 0;
};

/// One page of jobs; `total` counts every match.
struct ScanJobPage {
  std::vector<ScanJob> items;
  std::int64_t total = 0;
};

/// A port found open by a job, with its service once service detection named it; or a UDP port
/// that stayed silent on a host that answered (open|filtered: an open service that ignored the
/// probe, or a firewall that dropped it).
struct FoundPort {
  std::uint16_t port = 0;
  scan::Protocol protocol = scan::Protocol::kTcp;
  scan::PortState state = scan::PortState::kOpen;  // kOpen or kOpenFiltered
  std::optional<scan::ServiceInfo> service;
  std::string tunnel;                       // "ssl" when the service speaks inside TLS
  std::optional<scan::TlsFacts> tls;        // what a TLS port showed
  std::vector<scan::ScriptOutput> scripts;  // NSE scripts' outputs (nmap jobs and imports)
};

/// A host that answered (at least one open or closed port, or host discovery found it up) and
/// its open and open|filtered ports, ascending by protocol and port.
struct FoundHost {
  scan::IpAddress address;
  std::vector<std::string> hostnames;
  /// How host discovery found it up ("echo-reply", "syn-ack", "rst", "arp-response",
  /// "ndp-response", ...; nmap's own reasons in nmap jobs and imports) and its MAC
  /// ("02:00:5e:10:00:01") when ARP or NDP did; "" when unknown (no discovery: -Pn jobs).
  std::string reason;
  std::string mac;
  std::vector<FoundPort> ports;
  std::string os;       // nmap's best OS guess (nmap jobs with OS detection, imports)
  int os_accuracy = 0;  // 0..100
  std::vector<scan::ScriptOutput> scripts;  // NSE host scripts' outputs
};

/// Which page of a job's results or changes: `limit` (1..kMaxPageLimit) from `offset` on.
struct PageRequest {
  std::int64_t limit = 100;
  std::int64_t offset = 0;
};

/// The most items one page of results, changes or schedules holds.
inline constexpr std::int64_t kMaxPageLimit = 1000;
/// kInvalidArgument (naming "limit" or "offset") for a limit outside 1..kMaxPageLimit or a
/// negative offset.
Status check_page(const PageRequest& page);

/// One page of a job's hosts, in address order (IPv4 before IPv6); `total` counts every host of
/// the job and `open_ports` every open port, not only the page's.
struct FoundHostPage {
  std::vector<FoundHost> items;
  std::int64_t total = 0;
  std::int64_t open_ports = 0;
};

/// "tcp" or "udp".
std::string_view to_string(scan::Protocol protocol);

}  // namespace sentinel::scanner
