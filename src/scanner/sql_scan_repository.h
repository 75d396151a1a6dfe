#pragma once
// SQL access to scan jobs, their hosts and open ports (schema
// src/store/migrations/0007_scanner.sql), over one connection so that the service composes it
// into transactions. Not thread-safe, like the connection it wraps.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scanner/scan_diff.h"
#include "sentinel/scanner/scan_job.h"
#include "sentinel/store/database.h"

namespace sentinel::scanner {

class SqlScanRepository {
 public:
  explicit SqlScanRepository(store::Connection& connection) : connection_(connection) {}

  /// Inserts `job` (its id is ignored); returns the new id.
  Result<std::int64_t> insert_job(const ScanJob& job);
  Result<std::optional<ScanJob>> find(std::int64_t id);
  /// Newest first; `total` counts every match.
  Result<ScanJobPage> list(const ScanJobFilter& filter);

  /// queued -> running with the method the engine chose; false when the job is no longer queued
  /// (cancelled meanwhile).
  Result<bool> mark_running(std::int64_t id, std::int64_t now_ms, std::string_view method);
  /// The method of a running job, once it is known (after host discovery).
  Status set_method(std::int64_t id, std::string_view method);
  /// Writes the counters; returns the job's status as stored, which another process may have
  /// changed (a cancel).
  Result<JobStatus> write_progress(std::int64_t id, const JobCounters& counters);
  /// Ends a job: `status` when it is still running (a job cancelled meanwhile stays cancelled),
  /// the final counters, the end time and `error` in any case.
  Status finish(std::int64_t id, JobStatus status, const JobCounters& counters, std::int64_t now_ms,
                std::string_view error);
  /// Writes what users should know of a running job that is no failure (agents that could not
  /// find hosts first) to its `error` note; nothing once the job ended. finish() keeps it.
  Status set_note(std::int64_t id, std::string_view note);
  /// Records that some of the job's shards ran without host discovery.
  Status mark_discovery_partial(std::int64_t id);
  /// queued or running -> cancelled; false when the job had already ended.
  Result<bool> cancel(std::int64_t id, std::int64_t now_ms, std::string_view error);

  /// Records hosts that answered (with how discovery found them and their MAC, when known);
  /// hosts already stored for the job are left as they are.
  Status add_hosts(std::int64_t job_id, const std::vector<FoundHost>& hosts, std::int64_t now_ms);
  /// Records the ports of `hosts` (with their state and services); ports already stored are
  /// left as they are, except that an open|filtered port reported open becomes open.
  Status add_ports(std::int64_t job_id, const std::vector<FoundHost>& hosts, std::int64_t now_ms);
  /// Writes the services of the ports of `hosts` that have one.
  Status set_services(std::int64_t job_id, const std::vector<FoundHost>& hosts);
  /// Every host of a job with its open and open|filtered ports, by address; ports ascending by
  /// protocol and port.
  Result<std::vector<FoundHost>> results(std::int64_t job_id);
  /// One page of results() read with LIMIT and OFFSET, with the job's host and open port counts.
  /// The page is not checked: the caller keeps limit and offset in range.
  Result<FoundHostPage> results_page(std::int64_t job_id, const PageRequest& page);

  /// Stores a diff that has a previous job, its changes in their order; a diff already stored
  /// for the job stays as it is.
  Status store_diff(const ScanDiff& diff);
  /// One page of the diff stored for `job_id`, with the totals of every change; nullopt when
  /// none is stored. The page is not checked.
  Result<std::optional<ScanDiffPage>> stored_diff(std::int64_t job_id, const PageRequest& page);

  /// The newest completed job of `scope_key` older than `job_id`, if any.
  Result<std::optional<std::int64_t>> previous_completed(std::int64_t job_id,
                                                         std::string_view scope_key);

 private:
  /// Gives the job's hosts stored before scan_hosts.address_key existed their key.
  Status fill_address_keys(std::int64_t job_id);

  store::Connection& connection_;
};

}  // namespace sentinel::scanner
