#include "scan_run.h"

#include <fmt/format.h>

#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "../auth/autocommit.h"
#include "job_diff.h"
#include "logger.h"
#include "nmap_job_run.h"
#include "scan_json.h"
#include "sentinel/common/crypto.h"
#include "sentinel/scan/host_discovery.h"
#include "sentinel/scan/port_scanner_factory.h"
#include "sentinel/scanner/found_results.h"
#include "shard_dispatch_run.h"
#include "sql_scan_repository.h"

namespace sentinel::scanner {
namespace {

// Above this many hosts "hosts done" is estimated from the pairs done instead of counted per
// host, so that the counting map stays small.
constexpr std::int64_t kMaxCountedHosts = 1 << 20;

/// What the engine reported since the last flush, and the per-host bookkeeping behind "hosts
/// done". on_result() runs on the scan thread, take() on the worker; both briefly, under one
/// lock.
class ResultCollector {
 public:
  ResultCollector(std::int64_t hosts_total, std::size_t ports_per_host,
                  std::map<scan::IpAddress, std::vector<std::string>> names)
      : count_hosts_(hosts_total <= kMaxCountedHosts),
        ports_per_host_(ports_per_host),
        names_(std::move(names)) {}

  /// Hosts discovery found up (already stored): see FoundResults::mark_up.
  void mark_up(const scan::TargetSet& hosts) {
    std::lock_guard lock(mutex_);
    for (std::uint64_t i = 0; i < hosts.size(); ++i) found_.mark_up(hosts.at(i));
  }

  void on_result(const scan::PortResult& result) {
    std::lock_guard lock(mutex_);
    found_.add(result);
    if (count_hosts_ && ++answered_[result.address] >= ports_per_host_) {
      answered_.erase(result.address);
      ++hosts_done_;
    }
  }

  /// Hosts first seen and ports found since the last call.
  std::vector<FoundHost> take() {
    std::map<scan::IpAddress, FoundHost> pending;
    {
      std::lock_guard lock(mutex_);
      pending.swap(found_.pending());
    }
    std::vector<FoundHost> out;
    out.reserve(pending.size());
    for (auto& [address, host] : pending) {
      // Stored with the host's first entry; a later entry's names are ignored.
      if (const auto named = names_.find(address); named != names_.end()) {
        host.hostnames = named->second;
      }
      out.push_back(std::move(host));
    }
    return out;
  }

  /// Hosts every port of which has a final state.
  std::int64_t hosts_done(std::uint64_t pairs_done) const {
    std::lock_guard lock(mutex_);
    if (count_hosts_) return hosts_done_;
    return ports_per_host_ == 0 ? 0 : static_cast<std::int64_t>(pairs_done / ports_per_host_);
  }

 private:
  const bool count_hosts_;
  const std::size_t ports_per_host_;
  const std::map<scan::IpAddress, std::vector<std::string>> names_;
  mutable std::mutex mutex_;
  FoundResults found_;
  std::unordered_map<scan::IpAddress, std::size_t> answered_;
  std::int64_t hosts_done_ = 0;
};

/// The hosts host discovery found up: new ones since the last flush, and all of them for the
/// port scan. on_result() runs on the discovery thread, take() on the worker, under one lock.
class DiscoveryCollector {
 public:
  explicit DiscoveryCollector(const std::map<scan::IpAddress, std::vector<std::string>>& names)
      : names_(names) {}

  void on_result(const scan::HostResult& result) {
    if (result.state != scan::HostState::kUp) return;
    FoundHost host{.address = result.address, .reason = std::string(result.reason)};
    if (result.mac) host.mac = scan::mac_to_string(*result.mac);
    if (const auto named = names_.find(result.address); named != names_.end()) {
      host.hostnames = named->second;
    }
    std::lock_guard lock(mutex_);
    up_.push_back(AddressRange::single(result.address));
    pending_.push_back(std::move(host));
  }

  /// Hosts found up since the last call.
  std::vector<FoundHost> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(pending_, {});
  }

  /// Every host found up, as the port scan's targets.
  scan::TargetSet up_hosts() const {
    std::lock_guard lock(mutex_);
    return scan::TargetSet::from_ranges(up_);
  }

 private:
  using AddressRange = scan::AddressRange;
  const std::map<scan::IpAddress, std::vector<std::string>>& names_;
  mutable std::mutex mutex_;
  std::vector<FoundHost> pending_;
  std::vector<AddressRange> up_;
};

// Host names of the target list by the addresses they resolved to.
std::map<scan::IpAddress, std::vector<std::string>> names_by_address(
    const scan::TargetSet& targets) {
  std::map<scan::IpAddress, std::vector<std::string>> out;
  for (const scan::ResolvedHost& host : targets.resolved_hosts()) {
    for (const scan::IpAddress& address : host.addresses) out[address].push_back(host.name);
  }
  return out;
}

std::uint64_t random_seed() {
  const std::string bytes = crypto::random_bytes(sizeof(std::uint64_t));
  std::uint64_t seed = 0;
  std::memcpy(&seed, bytes.data(), sizeof(seed));
  return seed;
}

/// One job's run, from mark_running to the last message.
class JobRun {
 public:
  JobRun(const JobRunContext& context, QueuedScan& scan, JobControl& control)
      : context_(context), scan_(scan), control_(control) {}

  void run() {
    const std::int64_t id = scan_.id;
    const std::int64_t hosts_total = static_cast<std::int64_t>(scan_.plan.targets.size());
    const std::size_t ports = scan_.plan.ports.size();
    counters_.hosts_total = hosts_total;
    counters_.pairs_total = hosts_total * static_cast<std::int64_t>(ports);
    const auto names = names_by_address(scan_.plan.targets);
    scan::TargetSet targets = std::move(scan_.plan.targets);

    if (scan_.discovery) {
      // The port scan's method is known once the live hosts are: stored then.
      counters_.phase = "discovery";
      if (!start_running("")) return;
      std::optional<scan::TargetSet> up = discover(targets, names);
      if (!up) return;  // the job ended
      // Every address discovery found down is done; the ports are those of the hosts up.
      const auto up_count = static_cast<std::int64_t>(up->size());
      hosts_down_ = hosts_total - up_count;
      counters_.hosts_done = hosts_down_;
      counters_.pairs_total = up_count * static_cast<std::int64_t>(ports);
      if (up->empty()) {
        counters_.phase.clear();
        return end(JobStatus::kCompleted, "");
      }
      targets = std::move(*up);
    }

    counters_.phase = "ports";
    ResultCollector collector(static_cast<std::int64_t>(targets.size()), ports, names);
    if (scan_.discovery) collector.mark_up(targets);
    scan::PortScanOptions options;
    options.allow_raw = context_.allow_raw;
    options.seed = random_seed();
    options.max_rate = scan_.limits.max_rate;
    options.max_concurrency = concurrency_cap();
    // TCP ports first, then UDP ports, as one scan: one progress, one cancel.
    auto chosen =
        scan::make_port_list_scanner(std::move(targets), scan_.plan.ports, context_.scope, options);
    if (!chosen) {
      // Without discovery nothing ran: the job goes from queued to failed.
      if (scan_.discovery || start_running("")) {
        end(JobStatus::kFailed, "the scan could not start: " + chosen.error().message);
      }
      return;
    }
    scan::PortScanner& scanner = *chosen->scanner;
    if (scan_.discovery) {
      auth::Autocommit connection(context_.database);
      SqlScanRepository jobs(connection);
      (void)jobs.set_method(id, chosen->method);
      (void)jobs.write_progress(id, counters_);  // the phase, for the next message
    } else if (!start_running(chosen->method)) {
      return;
    }
    scanner_log().info("scan started job={} method={} hosts={} ports={} ({})", id, chosen->method,
                       hosts_total, ports, chosen->reason);
    publish_job(context_.database, context_.bus, id);
    control_.set_canceller([&scanner] { scanner.cancel(); });
    std::optional<Result<scan::ScanOutcome>> outcome = run_flushing(
        [&] {
          return scanner.run([&collector](const scan::PortResult& r) { collector.on_result(r); });
        },
        [&] { return flush(scanner, collector); });
    control_.set_canceller({});
    flush(scanner, collector);

    if (!outcome->has_value()) {
      end(JobStatus::kFailed, "the scan engine failed: " + outcome->error().message);
    } else if (**outcome == scan::ScanOutcome::kCancelled || control_.cancelled()) {
      end(JobStatus::kCancelled, failure_.empty() ? cancel_note(control_) : failure_);
    } else if (!failure_.empty()) {
      end(JobStatus::kFailed, failure_);
    } else {
      detect_services();
      end(JobStatus::kCompleted, "");
    }
  }

 private:
  // The job's "max_concurrency", for every phase.
  std::optional<std::size_t> concurrency_cap() const {
    if (!scan_.limits.max_concurrency) return std::nullopt;
    return static_cast<std::size_t>(*scan_.limits.max_concurrency);
  }

  // queued -> running with `method`, and the first message; false when the job was cancelled
  // while queued (or the database is gone).
  bool start_running(const std::string& method) {
    {
      auth::Autocommit connection(context_.database);
      SqlScanRepository jobs(connection);
      Result<bool> started = jobs.mark_running(scan_.id, context_.clock.now_ms(), method);
      if (!started || !*started) return false;
      (void)jobs.write_progress(scan_.id, counters_);  // the phase, for the first message
    }
    publish_job(context_.database, context_.bus, scan_.id);
    return true;
  }

  // Runs `work` (the engine) on a thread of its own; every progress interval until it returns,
  // `flush` writes what it found and the job is published. A cancel stored by another process
  // cancels the job here.
  template <typename Work, typename Flush>
  std::optional<Result<scan::ScanOutcome>> run_flushing(Work work, Flush flush) {
    std::mutex done_mutex;
    std::condition_variable done_changed;
    bool done = false;
    std::optional<Result<scan::ScanOutcome>> outcome;
    std::thread engine_thread([&] {
      Result<scan::ScanOutcome> result = work();
      std::lock_guard lock(done_mutex);
      outcome.emplace(std::move(result));
      done = true;
      done_changed.notify_all();
    });
    while (true) {
      {
        std::unique_lock lock(done_mutex);
        if (done_changed.wait_for(lock, context_.progress_interval, [&] { return done; })) break;
      }
      if (flush() == JobStatus::kCancelled && !control_.cancelled()) {
        control_.cancel("cancelled");  // by a DELETE served in another process
      }
      publish_job(context_.database, context_.bus, scan_.id);
    }
    engine_thread.join();
    return outcome;
  }

  // The discovery phase of a running job: the hosts found up are stored as they come (with how
  // they were found and their MAC). Returns the hosts up, or nullopt when the job ended here
  // (cancelled, failed).
  std::optional<scan::TargetSet> discover(
      const scan::TargetSet& targets,
      const std::map<scan::IpAddress, std::vector<std::string>>& names) {
    scan::DiscoveryOptions options;
    options.allow_raw = context_.allow_raw;
    options.seed = random_seed();
    options.limits = scan::capped(options.limits, scan_.limits.max_rate, concurrency_cap());
    auto created = scan::HostDiscovery::create(targets, context_.scope, options);
    if (!created) {
      end(JobStatus::kFailed, "host discovery could not start: " + created.error().message);
      return std::nullopt;
    }
    scan::HostDiscovery& discovery = **created;
    scanner_log().info("scan discovery job={} method={} hosts={} ({})", scan_.id,
                       scan::to_string(discovery.method()), targets.size(),
                       discovery.method_reason());
    DiscoveryCollector collector(names);
    control_.set_canceller([&discovery] { discovery.cancel(); });
    std::optional<Result<scan::ScanOutcome>> outcome = run_flushing(
        [&] {
          return discovery.run([&collector](const scan::HostResult& r) { collector.on_result(r); });
        },
        [&] { return flush_discovery(discovery, collector); });
    control_.set_canceller({});
    flush_discovery(discovery, collector);
    if (!outcome->has_value()) {
      end(JobStatus::kFailed, "host discovery failed: " + outcome->error().message);
      return std::nullopt;
    }
    if (**outcome == scan::ScanOutcome::kCancelled || control_.cancelled()) {
      end(JobStatus::kCancelled, failure_.empty() ? cancel_note(control_) : failure_);
      return std::nullopt;
    }
    if (!failure_.empty()) {
      end(JobStatus::kFailed, failure_);
      return std::nullopt;
    }
    scanner_log().info("scan discovery done job={} up={}/{}", scan_.id,
                       discovery.progress().hosts_up, targets.size());
    return collector.up_hosts();
  }

  // Writes the hosts found up since the last flush and the counters; returns the stored status.
  std::optional<JobStatus> flush_discovery(const scan::HostDiscovery& discovery,
                                           DiscoveryCollector& collector) {
    const scan::DiscoveryProgress progress = discovery.progress();
    // Hosts are done here once found down; the up ones are done when their ports are.
    counters_.hosts_done = static_cast<std::int64_t>(
        progress.hosts_done > progress.hosts_up ? progress.hosts_done - progress.hosts_up : 0);
    return store(collector.take());
  }

  // Writes what arrived since the last flush and the counters; returns the stored status.
  std::optional<JobStatus> flush(const scan::PortScanner& scanner, ResultCollector& collector) {
    const scan::ScanProgress progress = scanner.progress();
    counters_.pairs_done = static_cast<std::int64_t>(progress.pairs_done);
    counters_.open_found = static_cast<std::int64_t>(progress.open_found);
    counters_.rate = progress.probes_per_second;
    counters_.hosts_done = hosts_down_ + collector.hosts_done(progress.pairs_done);
    return store(collector.take());
  }

  // Stores `found` and the counters in one transaction; returns the stored status. A failure
  // cancels the job.
  std::optional<JobStatus> store(const std::vector<FoundHost>& found) {
    const std::int64_t now = context_.clock.now_ms();
    std::optional<JobStatus> stored;
    Status written = context_.database.transact([&](store::Connection& connection) -> Status {
      SqlScanRepository jobs(connection);
      SENTINEL_TRY(jobs.add_hosts(scan_.id, found, now));
      SENTINEL_TRY(jobs.add_ports(scan_.id, found, now));
      SENTINEL_ASSIGN(status, jobs.write_progress(scan_.id, counters_));
      stored = status;
      return ok();
    });
    if (!written && failure_.empty()) {
      // Results that cannot be stored make the scan pointless: stop it.
      failure_ = "storing the results failed: " + written.error().message;
      scanner_log().error("scan job={} {}", scan_.id, failure_);
      control_.cancel(failure_);
    }
    return stored;
  }

  // The seam: a registered detector names the services on the open ports found.
  void detect_services() {
    if (context_.detector == nullptr || control_.cancelled()) return;
    auth::Autocommit connection(context_.database);
    SqlScanRepository jobs(connection);
    auto hosts = jobs.results(scan_.id);
    if (!hosts) return;
    // The ports are all done; what remains is naming their services.
    counters_.phase = "services";
    if (Result<JobStatus> written = jobs.write_progress(scan_.id, counters_); written) {
      publish_job(context_.database, context_.bus, scan_.id);
    }
    if (Status detected =
            context_.detector->detect(*hosts, context_.scope, control_.flag(), concurrency_cap());
        !detected) {
      scanner_log().warn("scan job={} service detection failed: {}", scan_.id,
                         detected.error().message);
      return;
    }
    if (Status stored = context_.database.transact([&](store::Connection& tx) {
          return SqlScanRepository(tx).set_services(scan_.id, *hosts);
        });
        !stored) {
      scanner_log().error("scan job={} services not stored: {}", scan_.id, stored.error().message);
    }
  }

  void end(JobStatus status, const std::string& error) {
    finish_job(context_, scan_.id, status, counters_, error);
  }

  const JobRunContext& context_;
  QueuedScan& scan_;
  JobControl& control_;
  JobCounters counters_;
  std::int64_t hosts_down_ = 0;  // addresses host discovery found down
  std::string failure_;
};

// The changes against the previous completed job of the scope, as events.
void record_changes(const JobRunContext& context, std::int64_t id, std::int64_t now) {
  auth::Autocommit connection(context.database);
  SqlScanRepository jobs(connection);
  auto job = jobs.find(id);
  if (!job || !*job || (*job)->status != JobStatus::kCompleted) return;
  auto diff = job_diff(jobs, **job);
  if (!diff) {
    scanner_log().error("scan job={} diff failed: {}", id, diff.error().message);
    return;
  }
  if (!diff->previous_id) return;
  auto stored = store_changes(context.database, context.bus, *diff, now);
  if (!stored) {
    scanner_log().error("scan job={} change events not stored: {}", id, stored.error().message);
    return;
  }
  scanner_log().info("scan job={} previous={} changes={}", id, *diff->previous_id, *stored);
}

}  // namespace

void finish_job(const JobRunContext& context, std::int64_t id, JobStatus status,
                const JobCounters& counters, const std::string& error) {
  const std::int64_t now = context.clock.now_ms();
  Status finished = context.database.transact([&](store::Connection& connection) {
    return SqlScanRepository(connection).finish(id, status, counters, now, error);
  });
  if (!finished) {
    scanner_log().error("scan job={} end not stored: {}", id, finished.error().message);
  }
  scanner_log().info("scan ended job={} status={} pairs={}/{} open={} error=\"{}\"", id,
                     to_string(status), counters.pairs_done, counters.pairs_total,
                     counters.open_found, error);
  if (status == JobStatus::kCompleted) record_changes(context, id, now);
  publish_job(context.database, context.bus, id);
}

std::string cancel_note(const JobControl& control) {
  // A user's cancel needs no explanation; the system's (shutdown) does.
  const std::string reason = control.reason();
  return reason == "cancelled" ? std::string() : reason;
}

void publish_job(store::Database& database, bus::Bus& bus, std::int64_t id) {
  auth::Autocommit connection(database);
  auto job = SqlScanRepository(connection).find(id);
  if (!job || !*job) return;
  if (!bus.publish("scan", scan_message(**job))) {
    scanner_log().debug("scan job={} progress message dropped: the bus is full", id);
  }
}

void run_job(const JobRunContext& context, QueuedScan& scan, JobControl& control) {
  try {
    if (scan.agents) {
      run_distributed_job(context, scan, control);
    } else if (scan.nmap) {
      run_nmap_job(context, scan, control);
    } else {
      JobRun(context, scan, control).run();
    }
  } catch (const std::exception& e) {
    // A bug, not a scan outcome: the job must still end rather than stay "running".
    scanner_log().critical("scan job={} crashed: {}", scan.id, e.what());
    auth::Autocommit connection(context.database);
    (void)SqlScanRepository(connection)
        .finish(scan.id, JobStatus::kFailed, {}, context.clock.now_ms(),
                std::string("internal error: ") + e.what());
    publish_job(context.database, context.bus, scan.id);
  }
}

}  // namespace sentinel::scanner
