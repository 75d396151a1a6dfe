#pragma once
// The scanner service (ADR 0005, "Scanner service"): scan jobs inside admin-defined scopes, run
// by the server's own engine on a small worker pool, their results, diffs and imports.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/auth/audit_log.h"
#include "sentinel/auth/auth_types.h"
#include "sentinel/auth/principal.h"
#include "sentinel/bus/bus.h"
#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"
#include "sentinel/scan/host_resolver.h"
#include "sentinel/scanner/scan_agents.h"
#include "sentinel/scanner/scan_diff.h"
#include "sentinel/scanner/scan_job.h"
#include "sentinel/scanner/scan_schedules.h"
#include "sentinel/scanner/scan_scopes.h"
#include "sentinel/scanner/service_detector.h"
#include "sentinel/server/service.h"
#include "sentinel/store/database.h"

namespace sentinel::scanner {

/// How the service runs jobs.
struct ScannerOptions {
  /// CIDRs and addresses that may be scanned (config `scanner.scopes`, `--scan-scope`); none
  /// means every scan is refused.
  std::vector<std::string> scopes;
  /// Jobs running at once; more wait in the queue.
  std::size_t workers = 2;
  /// Jobs waiting at most; beyond that a new scan is refused with kUnavailable.
  std::size_t max_queued = 64;
  /// How often a running job writes its progress and publishes a `scan` message.
  std::chrono::milliseconds progress_interval{500};
  /// False keeps the engine on connect() even where raw SYN probes would be allowed.
  bool allow_raw = true;
  /// The largest nmap XML document an import takes.
  std::size_t max_import_bytes = 16 << 20;
  /// How the shards of jobs split across agents are handed out.
  ShardOptions shards;
  /// The shortest interval of a scan schedule: 5 minutes. Lower only in tests and diagnostics
  /// (`scanner.schedule_min_interval_s`).
  std::chrono::seconds schedule_min_interval{300};
  /// How often the scheduler looks for due schedules.
  std::chrono::milliseconds schedule_tick{1000};
  /// The nmap backend (`"backend": "nmap"`): nmap's program and script catalogue
  /// (`scanner.nmap_path`, `scanner.nmap_script_db`); when either is missing, nmap jobs are
  /// refused. A job nmap runs is stopped after `nmap_timeout`.
  std::string nmap_path = "/usr/bin/nmap";
  std::string nmap_script_db = "/usr/share/nmap/scripts/script.db";
  std::chrono::seconds nmap_timeout{3600};
};

/// Collaborators; each must outlive the service. `detector` may be null (no service detection,
/// on agents neither); `agents` may be null (scans that name agents are refused). `creators`
/// is required: a schedule's due runs start only while its creator may start scans.
struct ScannerDependencies {
  store::Database& database;
  auth::AuditLog& audit;
  bus::Bus& bus;
  const Clock& clock;
  std::unique_ptr<scan::HostResolver> resolver;  // null: the system resolver
  std::unique_ptr<ServiceDetector> detector;
  std::unique_ptr<ScanAgents> agents = nullptr;
  CreatorLookup creators;
};

/// Thread-safe. Every state change of a job is written to the database, then published on the
/// bus topic "scan" as {"type":"scan","scan":{...}} (the API's job form, with `progress`): at most
/// once per progress_interval per running job, plus once when it ends. When a job completes, its
/// changes against the previous completed job of the same scope are stored as `scan.change`
/// events and published on the topic "event". Starting, cancelling and importing are audited
/// (`scan.start`, `scan.cancel`, `scan.import`).
class ScannerService : public server::Service {
 public:
  /// kInvalidArgument (field "scanner.scopes") for a scope that does not parse, (field
  /// "creators") without a creator lookup.
  static Result<std::unique_ptr<ScannerService>> create(ScannerDependencies dependencies,
                                                        ScannerOptions options);

  /// The configured scopes as canonical CIDRs or ranges.
  virtual std::vector<std::string> scopes() const = 0;
  /// The scopes of the configuration and those stored through the API; the scope guard of
  /// start_scan (and of each job when it begins to run) uses both. Lives as long as the service.
  virtual ScopeRegistry& scope_registry() = 0;
  /// Scheduled scans, started by a thread of the service between start() and stop(). Lives as
  /// long as the service.
  virtual ScanSchedules& schedules() = 0;

  /// What start_scan checks (targets, ports, scopes, confirmation, agents), without queuing a
  /// job; the same errors.
  virtual Status check_scan(const ScanRequest& request) = 0;

  /// Resolves the targets, checks them against the scopes and queues the job. kInvalidArgument
  /// naming the field for bad targets, exclusions or ports; for targets outside every scope (reason
  /// "target_out_of_scope", each offending target named); for more than
  /// scan::kLargeScanAddresses addresses without confirm_large (reason "confirmation_required").
  /// A request that names agents is split across them: kInvalidArgument naming "agents.ids" for
  /// ids of no (or a revoked) agent, "agents.group" for a group without agents, "agents" when
  /// this process has no agent channel. A request for the nmap backend: kInvalidArgument naming
  /// "backend" when nmap is not installed, "nmap.scripts" for unknown or refused scripts,
  /// "nmap.os_detection" or "ports" (UDP) without raw sockets.
  /// kUnavailable when the queue is full or the service is stopping.
  virtual Result<ScanJob> start_scan(const auth::Principal& caller, const ScanRequest& request,
                                     const auth::ClientInfo& client) = 0;

  /// Stores an nmap XML report as a completed job with source "nmap-import". kInvalidArgument
  /// naming line and column for XML that is malformed or not an nmap report; kPayloadTooLarge
  /// beyond max_import_bytes.
  virtual Result<ScanJob> import_nmap(const auth::Principal& caller, std::string_view xml,
                                      const auth::ClientInfo& client) = 0;

  /// kNotFound for an unknown id.
  virtual Result<ScanJob> get(std::int64_t id) = 0;
  /// kInvalidArgument for a limit outside 1..1000 or a negative offset.
  virtual Result<ScanJobPage> list(const ScanJobFilter& filter) = 0;
  /// One page of the hosts a job found so far, by address, each with its open ports; the page
  /// is read from the database alone. kNotFound; kInvalidArgument for a limit outside
  /// 1..kMaxPageLimit or a negative offset.
  virtual Result<FoundHostPage> results(std::int64_t id, const PageRequest& page) = 0;
  /// One page of the job's changes against the previous completed job of the same scope, with
  /// the totals of every kind. kNotFound; kInvalidArgument as results().
  virtual Result<ScanDiffPage> diff(std::int64_t id, const PageRequest& page) = 0;
  /// Cancels a queued or running job (in any process: a running job notices within a progress
  /// interval); returns it as it is now. kNotFound; kConflict when it has already ended.
  virtual Result<ScanJob> cancel(const auth::Principal& caller, std::int64_t id,
                                 const auth::ClientInfo& client) = 0;
};

}  // namespace sentinel::scanner
