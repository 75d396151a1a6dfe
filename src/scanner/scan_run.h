#pragma once
// One job from queued to its end, on a worker thread: the port scan on a thread of its own,
// results and progress written every interval, the service detection seam, the final state,
// the diff's events and the bus messages.

#include <chrono>

#include "scan_workers.h"
#include "sentinel/bus/bus.h"
#include "sentinel/common/clock.h"
#include "sentinel/scan/scan_scope.h"
#include "sentinel/scanner/scan_agents.h"
#include "sentinel/scanner/service_detector.h"
#include "sentinel/store/database.h"
#include "shard_dispatch.h"

namespace sentinel::scanner {

class NmapBackend;

/// What a job run uses; everything outlives the run.
struct JobRunContext {
  store::Database& database;
  bus::Bus& bus;
  const Clock& clock;
  const scan::ScanScope& scope;
  ServiceDetector* detector;  // null: no service detection (on agents too)
  std::chrono::milliseconds progress_interval;
  bool allow_raw;
  ScanAgents* agents;  // null: no distributed jobs in this process
  ShardOptions shards;
  const NmapBackend* nmap;  // null: nmap is not installed (nmap jobs are refused)
};

/// Runs `scan` to its end: completed, cancelled (through `control`, or by a cancel another
/// process wrote to the database) or failed; on the server's engine, or split across agents
/// when the scan names them (shard_dispatch_run.cpp), or by nmap (nmap_job_run.cpp). Never throws;
/// every outcome is written and published.
void run_job(const JobRunContext& context, QueuedScan& scan, JobControl& control);

/// Ends a running job: writes `status` (a job cancelled meanwhile stays cancelled), the counters
/// and `error`, stores the diff's events when it completed, and publishes it.
void finish_job(const JobRunContext& context, std::int64_t id, JobStatus status,
                const JobCounters& counters, const std::string& error);

/// What a cancelled job records as its error: nothing for a user's cancel, the system's reason
/// (a shutdown) otherwise.
std::string cancel_note(const JobControl& control);

/// Publishes the job as stored now on the topic "scan"; a full bus only costs live viewers the
/// message.
void publish_job(store::Database& database, bus::Bus& bus, std::int64_t id);

}  // namespace sentinel::scanner
