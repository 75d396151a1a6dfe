#include "nmap_job_run.h"

#include <fmt/format.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "../auth/autocommit.h"
#include "logger.h"
#include "nmap_backend.h"
#include "nmap_process.h"
#include "sentinel/scan/nmap_xml.h"
#include "sentinel/scanner/found_results.h"
#include "sql_scan_repository.h"

namespace sentinel::scanner {
namespace {

// A file of the job's target list, readable by its owner only, removed with this value.
class TargetFile {
 public:
  static Result<TargetFile> write(const std::string& contents) {
    std::string path = (std::filesystem::temp_directory_path() / "sentinel-nmap-XXXXXX").string();
    const int fd = ::mkstemp(path.data());
    if (fd < 0) {
      return internal_error(fmt::format("nmap target file: {}", std::strerror(errno)));
    }
    TargetFile file(path);
    std::size_t written = 0;
    while (written < contents.size()) {
      const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fd);
        return internal_error(fmt::format("nmap target file: {}", std::strerror(errno)));
      }
      written += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return file;
  }
  TargetFile(TargetFile&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TargetFile(const TargetFile&) = delete;
  TargetFile& operator=(const TargetFile&) = delete;
  TargetFile& operator=(TargetFile&&) = delete;
  ~TargetFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  explicit TargetFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

class NmapJobRun {
 public:
  NmapJobRun(const JobRunContext& context, QueuedScan& scan, JobControl& control)
      : context_(context), scan_(scan), control_(control) {}

  void run() {
    counters_.hosts_total = static_cast<std::int64_t>(scan_.plan.targets.size());
    counters_.pairs_total =
        counters_.hosts_total * static_cast<std::int64_t>(scan_.plan.ports.size());
    counters_.phase = scan_.discovery ? "discovery" : "ports";
    const NmapOptions& nmap = *scan_.nmap;
    if (context_.nmap == nullptr) {
      // start_scan refuses nmap jobs without nmap; one queued before nmap went away fails.
      if (mark_running("nmap")) end(JobStatus::kFailed, "nmap is not available on this server");
      return;
    }
    const NmapBackend& backend = *context_.nmap;
    auto targets = TargetFile::write(nmap_target_list(scan_.plan.targets));
    auto arguments = targets ? backend.arguments(nmap, scan_.plan.ports, targets->path(),
                                                 scan_.discovery, scan_.limits)
                             : Result<std::vector<std::string>>(targets.error());
    const std::string method = backend.method(nmap, scan_.plan.ports, scan_.discovery);
    if (!mark_running(method)) return;  // cancelled while queued, or the database is gone
    if (!arguments) {
      return end(JobStatus::kFailed, "nmap could not start: " + arguments.error().message);
    }
    scanner_log().info("scan started job={} method=\"{}\" hosts={} ports={}", scan_.id, method,
                       counters_.hosts_total, scan_.plan.ports.size());
    publish_job(context_.database, context_.bus, scan_.id);

    const std::int64_t started_ms = context_.clock.now_ms();
    const NmapRunLimits limits{
        .timeout = std::chrono::duration_cast<std::chrono::milliseconds>(backend.options().timeout),
        .max_output = backend.options().max_output};
    Result<std::string> output =
        run_nmap(backend.options().executable, *arguments, limits, control_.flag(),
                 [&](const NmapTaskProgress& progress) { on_progress(progress); });
    if (!output) {
      if (control_.cancelled()) return end(JobStatus::kCancelled, cancel_note(control_));
      return end(JobStatus::kFailed, output.error().message);
    }
    scan::NmapXmlLimits xml_limits;
    xml_limits.max_bytes = backend.options().max_output;
    auto report = scan::parse_nmap_xml(*output, xml_limits);
    if (!report) {
      return end(JobStatus::kFailed, "nmap's report could not be read: " + report.error().message);
    }
    // nmap was given only the plan's addresses; anything else in its report is not stored.
    std::erase_if(report->hosts, [&](const scan::HostReport& host) {
      return !scan_.plan.targets.contains(host.address) || !context_.scope.contains(host.address);
    });
    std::vector<FoundHost> hosts = found_hosts(*report, counters_);
    counters_.hosts_total = static_cast<std::int64_t>(scan_.plan.targets.size());
    counters_.hosts_done = counters_.hosts_total;
    counters_.pairs_total =
        counters_.hosts_total * static_cast<std::int64_t>(scan_.plan.ports.size());
    counters_.pairs_done = counters_.pairs_total;
    const double seconds =
        static_cast<double>(std::max<std::int64_t>(1, context_.clock.now_ms() - started_ms)) /
        1000.0;
    counters_.rate = static_cast<double>(counters_.pairs_total) / seconds;
    const std::int64_t now = context_.clock.now_ms();
    Status stored = context_.database.transact([&](store::Connection& connection) -> Status {
      SqlScanRepository jobs(connection);
      SENTINEL_TRY(jobs.add_hosts(scan_.id, hosts, now));
      return jobs.add_ports(scan_.id, hosts, now);
    });
    if (!stored)
      return end(JobStatus::kFailed, "storing the results failed: " + stored.error().message);
    end(JobStatus::kCompleted, "");
  }

 private:
  // nmap's progress as the job's, written and published at most once per progress interval; a
  // cancel stored by another process is noticed here.
  void on_progress(const NmapTaskProgress& progress) {
    const double percent = std::max(overall_percent(progress), last_percent_);
    last_percent_ = percent;
    if (const std::string_view phase = phase_of(progress); !phase.empty()) {
      counters_.phase = std::string(phase);
    }
    const std::int64_t now = context_.clock.now_ms();
    if (now - last_write_ms_ < context_.progress_interval.count()) return;
    last_write_ms_ = now;
    counters_.pairs_done =
        static_cast<std::int64_t>(static_cast<double>(counters_.pairs_total) * percent / 100.0);
    auth::Autocommit connection(context_.database);
    Result<JobStatus> status = SqlScanRepository(connection).write_progress(scan_.id, counters_);
    if (status && *status == JobStatus::kCancelled && !control_.cancelled()) {
      control_.cancel("cancelled");  // by a DELETE served in another process
    }
    publish_job(context_.database, context_.bus, scan_.id);
  }

  bool mark_running(const std::string& method) {
    auth::Autocommit connection(context_.database);
    SqlScanRepository jobs(connection);
    Result<bool> started = jobs.mark_running(scan_.id, context_.clock.now_ms(), method);
    if (!started || !*started) return false;
    (void)jobs.write_progress(scan_.id, counters_);  // the phase, for the first message
    return true;
  }

  void end(JobStatus status, const std::string& error) {
    finish_job(context_, scan_.id, status, counters_, error);
  }

  const JobRunContext& context_;
  QueuedScan& scan_;
  JobControl& control_;
  JobCounters counters_;
  double last_percent_ = 0;
  std::int64_t last_write_ms_ = 0;
};

}  // namespace

void run_nmap_job(const JobRunContext& context, QueuedScan& scan, JobControl& control) {
  NmapJobRun(context, scan, control).run();
}

}  // namespace sentinel::scanner
