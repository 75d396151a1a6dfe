#pragma once
// One job of the nmap backend, from queued to its end: nmap runs on the job's addresses (the
// scope-checked plan, as CIDR blocks in a private file), its progress is written and published
// as it reports it, and its XML report becomes the job's results (hosts outside the plan are
// dropped), with OS guesses and script outputs.

#include "scan_run.h"
#include "scan_workers.h"

namespace sentinel::scanner {

/// Runs `scan` (scan.nmap set) through `context.nmap`, which must be set. Never throws.
void run_nmap_job(const JobRunContext& context, QueuedScan& scan, JobControl& control);

}  // namespace sentinel::scanner
