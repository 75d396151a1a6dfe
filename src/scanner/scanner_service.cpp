// The scanner service: checks and queues scans, runs them on its workers, serves their state,
// results and diffs, imports nmap reports.

#include "sentinel/scanner/scanner_service.h"

#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "../auth/autocommit.h"
#include "job_diff.h"
#include "logger.h"
#include "nmap_backend.h"
#include "scan_json.h"
#include "scan_plan.h"
#include "scan_run.h"
#include "scan_scheduler.h"
#include "scan_shards.h"
#include "scan_workers.h"
#include "scope_registry.h"
#include "sentinel/scan/nmap_xml.h"
#include "sentinel/scanner/found_results.h"
#include "sql_scan_repository.h"

namespace sentinel::scanner {
namespace {

constexpr std::string_view kStoppedBeforeRun = "the server stopped before the scan ran";
constexpr std::string_view kStoppedDuringRun = "the server stopped during the scan";

std::string joined_scopes(const std::vector<std::string>& scopes) {
  return fmt::format("{}", fmt::join(scopes, ","));
}

boost::json::array strings_json(const std::vector<std::string>& items) {
  boost::json::array array;
  for (const std::string& item : items) array.emplace_back(item);
  return array;
}

// nmap when it is installed; otherwise nothing, and why in `problem`.
std::optional<NmapBackend> open_nmap(const ScannerOptions& options, std::string& problem) {
  Result<NmapBackend> backend = NmapBackend::open({.executable = options.nmap_path,
                                                   .script_db = options.nmap_script_db,
                                                   .timeout = options.nmap_timeout},
                                                  options.allow_raw);
  if (!backend) {
    problem = backend.error().message;
    scanner_log().info("nmap backend unavailable: {}", problem);
    return std::nullopt;
  }
  return std::move(*backend);
}

class ScannerServiceImpl final : public ScannerService {
 public:
  ScannerServiceImpl(ScannerDependencies dependencies, ScannerOptions options,
                     scan::ScanScope scope)
      : database_(dependencies.database),
        audit_(dependencies.audit),
        bus_(dependencies.bus),
        clock_(dependencies.clock),
        resolver_(dependencies.resolver ? std::move(dependencies.resolver)
                                        : std::make_unique<scan::SystemHostResolver>()),
        detector_(std::move(dependencies.detector)),
        agents_(std::move(dependencies.agents)),
        options_(std::move(options)),
        scope_(std::move(scope)),
        scope_registry_(make_scope_registry(database_, audit_, clock_, *resolver_, scope_)),
        nmap_(open_nmap(options_, nmap_problem_)),
        run_context_{database_,
                     bus_,
                     clock_,
                     scope_,
                     detector_.get(),
                     options_.progress_interval,
                     options_.allow_raw,
                     agents_.get(),
                     options_.shards,
                     nmap_ ? &*nmap_ : nullptr},
        workers_(options_.workers, options_.max_queued,
                 [this](QueuedScan& scan, JobControl& control) { run_queued(scan, control); }),
        scheduler_(make_scan_scheduler(
            database_, audit_, clock_, *this, std::move(dependencies.creators),
            {.min_interval = options_.schedule_min_interval, .tick = options_.schedule_tick})) {}

  ~ScannerServiceImpl() override { stop(); }

  std::string_view name() const override { return "scanner"; }

  Status start() override {
    workers_.start();
    scheduler_->start();
    scanner_log().info("scanner started workers={} scopes=\"{}\"", options_.workers,
                       joined_scopes(scopes()));
    return ok();
  }

  void drain() override {
    scheduler_->stop();
    workers_.close();
  }

  void stop() override {
    scheduler_->stop();
    const std::vector<std::int64_t> dropped = workers_.stop(std::string(kStoppedDuringRun));
    for (const std::int64_t id : dropped) {
      auth::Autocommit connection(database_);
      if (Result<bool> cancelled =
              SqlScanRepository(connection).cancel(id, clock_.now_ms(), kStoppedBeforeRun);
          cancelled && *cancelled) {
        publish_job(database_, bus_, id);
      }
    }
  }

  std::vector<std::string> scopes() const override {
    std::vector<std::string> out;
    for (const scan::AddressRange& range : scope_.ranges()) out.push_back(range.to_string());
    return out;
  }

  ScopeRegistry& scope_registry() override { return *scope_registry_; }
  ScanSchedules& schedules() override { return *scheduler_; }

  Status check_scan(const ScanRequest& request) override {
    if (request.agents) SENTINEL_TRY(check_agents(*request.agents));
    SENTINEL_ASSIGN(scope, scope_registry_->current());
    SENTINEL_ASSIGN(plan, plan_scan(request, scope, *resolver_));
    if (request.agents) SENTINEL_TRY(check_agent_networks(*request.agents, plan.targets));
    return check_backend(request, plan);
  }

  Result<ScanJob> start_scan(const auth::Principal& caller, const ScanRequest& request,
                             const auth::ClientInfo& client) override {
    if (request.agents) SENTINEL_TRY(check_agents(*request.agents));
    SENTINEL_ASSIGN(scope, scope_registry_->current());
    SENTINEL_ASSIGN(plan, plan_scan(request, scope, *resolver_));
    if (request.agents) SENTINEL_TRY(check_agent_networks(*request.agents, plan.targets));
    SENTINEL_TRY(check_backend(request, plan));
    ScanJob job;
    job.status = JobStatus::kQueued;
    job.targets = request.targets;
    job.exclude = request.exclude;
    job.ports = plan.port_spec;
    job.profile =
        request.ports.empty() ? request.profile.value_or(ScanProfile::kStandard) : request.profile;
    job.scope_key = plan.scope_key;
    job.requested_by = caller.username;
    job.created_ms = clock_.now_ms();
    job.agents = request.agents;
    job.nmap = request.nmap;
    // Found first on the server or in each agent's shard alike.
    job.discovery = request.discovery.value_or(true);
    job.limits = request.limits;
    job.counters.hosts_total = static_cast<std::int64_t>(plan.targets.size());
    job.counters.pairs_total =
        job.counters.hosts_total * static_cast<std::int64_t>(plan.ports.size());
    SENTINEL_TRY(database_.transact([&](store::Connection& connection) -> Status {
      SENTINEL_ASSIGN(id, SqlScanRepository(connection).insert_job(job));
      job.id = id;
      return ok();
    }));
    if (Status queued = workers_.submit(
            QueuedScan{job.id, std::move(plan), job.agents, job.nmap, *job.discovery, job.limits});
        !queued) {
      auth::Autocommit connection(database_);
      (void)SqlScanRepository(connection).cancel(job.id, clock_.now_ms(), queued.error().message);
      return std::move(queued).error();
    }
    audit(caller, client, "scan.start", job.id,
          boost::json::object{
              {"targets", strings_json(job.targets)},
              {"exclude", strings_json(job.exclude)},
              {"ports", job.ports},
              {"addresses", job.counters.hosts_total},
              {"agents", agents_json(job.agents)},
              {"nmap", nmap_json(job.nmap)},
              {"discovery", *job.discovery},
              {"max_rate", job.limits.max_rate ? boost::json::value(*job.limits.max_rate)
                                               : boost::json::value(nullptr)},
              {"max_concurrency", job.limits.max_concurrency
                                      ? boost::json::value(*job.limits.max_concurrency)
                                      : boost::json::value(nullptr)}});
    scanner_log().info("scan queued job={} by={} hosts={} ports={} agents={}", job.id,
                       job.requested_by, job.counters.hosts_total, job.ports,
                       job.agents ? boost::json::serialize(agents_json(job.agents)) : "none");
    publish_job(database_, bus_, job.id);
    return job;
  }

  Result<ScanJob> import_nmap(const auth::Principal& caller, std::string_view xml,
                              const auth::ClientInfo& client) override {
    if (xml.size() > options_.max_import_bytes) {
      return Error{ErrorCode::kPayloadTooLarge,
                   fmt::format("an nmap report is limited to {} bytes", options_.max_import_bytes),
                   {},
                   "body"};
    }
    scan::NmapXmlLimits limits;
    limits.max_bytes = options_.max_import_bytes;
    auto report = scan::parse_nmap_xml(xml, limits);
    if (!report) {
      // The engine names its input "file"; here it is the request body.
      Error error = std::move(report).error();
      error.message = "nmap XML report: " + error.message;
      error.field = "body";
      return error;
    }
    ScanJob job;
    job.source = std::string(kSourceNmapImport);
    job.status = JobStatus::kCompleted;
    job.requested_by = caller.username;
    job.created_ms = clock_.now_ms();
    job.started_ms = report->start_ms > 0 ? report->start_ms : job.created_ms;
    job.finished_ms = report->end_ms > 0 ? report->end_ms : job.created_ms;
    const std::vector<FoundHost> hosts = found_hosts(*report, job.counters);
    const std::int64_t now = clock_.now_ms();
    SENTINEL_TRY(database_.transact([&](store::Connection& connection) -> Status {
      SqlScanRepository jobs(connection);
      SENTINEL_ASSIGN(id, jobs.insert_job(job));
      job.id = id;
      SENTINEL_TRY(jobs.add_hosts(id, hosts, now));
      return jobs.add_ports(id, hosts, now);
    }));
    audit(caller, client, "scan.import", job.id,
          boost::json::object{{"scanner", report->scanner},
                              {"hosts", job.counters.hosts_total},
                              {"open_ports", job.counters.open_found}});
    scanner_log().info("nmap report imported job={} by={} hosts={} open={}", job.id,
                       job.requested_by, job.counters.hosts_total, job.counters.open_found);
    publish_job(database_, bus_, job.id);
    return job;
  }

  Result<ScanJob> get(std::int64_t id) override {
    auth::Autocommit connection(database_);
    SENTINEL_ASSIGN(job, SqlScanRepository(connection).find(id));
    if (!job) return not_found("No such scan.");
    return std::move(*job);
  }

  Result<ScanJobPage> list(const ScanJobFilter& filter) override {
    if (filter.limit < 1 || filter.limit > 1000) {
      return invalid_argument("limit must be between 1 and 1000", "limit");
    }
    if (filter.offset < 0) return invalid_argument("offset must not be negative", "offset");
    auth::Autocommit connection(database_);
    return SqlScanRepository(connection).list(filter);
  }

  Result<FoundHostPage> results(std::int64_t id, const PageRequest& page) override {
    SENTINEL_TRY(check_page(page));
    auth::Autocommit connection(database_);
    SqlScanRepository jobs(connection);
    SENTINEL_ASSIGN(job, jobs.find(id));
    if (!job) return not_found("No such scan.");
    return jobs.results_page(id, page);
  }

  Result<ScanDiffPage> diff(std::int64_t id, const PageRequest& page) override {
    SENTINEL_TRY(check_page(page));
    auth::Autocommit connection(database_);
    SqlScanRepository jobs(connection);
    SENTINEL_ASSIGN(job, jobs.find(id));
    if (!job) return not_found("No such scan.");
    // Stored when the job completed; computed for other jobs (and completed ones a moment before
    // their diff is stored, or from before diffs were stored).
    SENTINEL_ASSIGN(stored, jobs.stored_diff(id, page));
    if (stored) return std::move(*stored);
    SENTINEL_ASSIGN(diff, job_diff(jobs, *job));
    return page_of(std::move(diff), page);
  }

  Result<ScanJob> cancel(const auth::Principal& caller, std::int64_t id,
                         const auth::ClientInfo& client) override {
    {
      auth::Autocommit connection(database_);
      SqlScanRepository jobs(connection);
      SENTINEL_ASSIGN(job, jobs.find(id));
      if (!job) return not_found("No such scan.");
      SENTINEL_ASSIGN(cancelled, jobs.cancel(id, clock_.now_ms(), ""));
      if (!cancelled) {
        return conflict(fmt::format("scan {} has already ended ({})", id, to_string(job->status)),
                        "status");
      }
    }
    // Here or in another process: a running job there sees the cancel at its next flush.
    workers_.cancel(id, "cancelled");
    audit(caller, client, "scan.cancel", id, boost::json::object{});
    scanner_log().info("scan cancelled job={} by={}", id, caller.username);
    publish_job(database_, bus_, id);
    return get(id);
  }

 private:
  // Scopes change while jobs wait: a job runs (and its engine re-checks every address) against
  // the scopes of the moment it starts, so that a scope removed meanwhile stops it. When they
  // cannot be read, the configuration's alone.
  void run_queued(QueuedScan& scan, JobControl& control) {
    auto current = scope_registry_->current();
    if (!current) {
      scanner_log().warn("scan scopes not read for job {}: {}; the configuration's apply", scan.id,
                         current.error().message);
    }
    const scan::ScanScope scope = current ? std::move(*current) : scope_;
    const JobRunContext context{run_context_.database,  run_context_.bus,
                                run_context_.clock,     scope,
                                run_context_.detector,  run_context_.progress_interval,
                                run_context_.allow_raw, run_context_.agents,
                                run_context_.shards,    nmap_ ? &*nmap_ : nullptr};
    run_job(context, scan, control);
  }

  // A job for nmap needs nmap, and asks only what it may (NmapBackend::check).
  Status check_backend(const ScanRequest& request, const ScanPlan& plan) const {
    if (!request.nmap) return ok();
    if (!nmap_) {
      return invalid_argument("the nmap backend is not available: " + nmap_problem_, "backend");
    }
    return nmap_->check(request, plan.ports);
  }

  // The agents a scan names must exist: ids of enrolled, unrevoked agents, or a group with some.
  Status check_agents(const AgentSelection& selection) {
    if (!agents_) {
      return invalid_argument(
          "this server process has no agent channel (module agents): scans that name agents "
          "cannot run here",
          "agents");
    }
    if (selection.networks) return ok();  // check_agent_networks(), once the targets are known
    if (!selection.group.empty()) {
      SENTINEL_ASSIGN(size, agents_->group_size(selection.group));
      if (size == 0) {
        return invalid_argument(fmt::format("no agent is in group '{}'", selection.group),
                                "agents.group");
      }
      return ok();
    }
    SENTINEL_ASSIGN(unknown, agents_->unknown(selection.ids));
    if (!unknown.empty()) {
      return invalid_argument(
          fmt::format("unknown or revoked agents: {}", fmt::join(unknown, ", ")), "agents.ids");
    }
    return ok();
  }

  // A job on the agents in the target networks: some agent must sit in a network for every
  // target address (online or not: the job waits for them as for any agent).
  Status check_agent_networks(const AgentSelection& selection, const scan::TargetSet& targets) {
    if (!selection.networks) return ok();
    SENTINEL_ASSIGN(sites, agents_->sites());
    std::vector<scan::AddressRange> networks;
    for (const AgentSite& site : sites) {
      networks.insert(networks.end(), site.networks.begin(), site.networks.end());
    }
    return require_covered(split_by_network(targets, std::move(networks)));
  }

  void audit(const auth::Principal& caller, const auth::ClientInfo& client, std::string action,
             std::int64_t id, const boost::json::object& details) {
    auth::AuditRecord record{.actor = caller.username,
                             .action = std::move(action),
                             .target = "scan:" + std::to_string(id),
                             .source_address = client.source_address,
                             .outcome = "success",
                             .details_json = boost::json::serialize(details)};
    if (auto recorded = audit_.record(record); !recorded) {
      scanner_log().error("audit of {} for scan {} failed: {}", record.action, id,
                          recorded.error().message);
    }
  }

  store::Database& database_;
  auth::AuditLog& audit_;
  bus::Bus& bus_;
  const Clock& clock_;
  std::unique_ptr<scan::HostResolver> resolver_;
  std::unique_ptr<ServiceDetector> detector_;
  std::unique_ptr<ScanAgents> agents_;
  ScannerOptions options_;
  scan::ScanScope scope_;
  std::unique_ptr<ScopeRegistry> scope_registry_;
  std::string nmap_problem_;  // why nmap_ is empty
  std::optional<NmapBackend> nmap_;
  JobRunContext run_context_;
  ScanWorkers workers_;
  std::unique_ptr<ScanScheduler> scheduler_;
};

}  // namespace

Result<std::unique_ptr<ScannerService>> ScannerService::create(ScannerDependencies dependencies,
                                                               ScannerOptions options) {
  auto scope = scan::ScanScope::from_ranges({});
  if (!options.scopes.empty()) {
    SENTINEL_ASSIGN(parsed,
                    scan::ScanScope::parse(joined_scopes(options.scopes), "scanner.scopes"));
    scope = std::move(parsed);
  }
  if (options.workers == 0) return invalid_argument("at least one scan worker", "workers");
  // Without it the scheduler could not tell whether a schedule's creator may still scan.
  if (!dependencies.creators) return invalid_argument("a creator lookup is required", "creators");
  return std::unique_ptr<ScannerService>(
      new ScannerServiceImpl(std::move(dependencies), std::move(options), std::move(scope)));
}

}  // namespace sentinel::scanner
