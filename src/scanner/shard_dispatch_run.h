#pragma once
// A distributed job from queued to its end, on a scanner worker thread: its shards dispatched to
// the agents of its selection every progress interval (shard_dispatch.h), progress written and
// published as for local jobs, a cancel passed on to the agents, the same end and diff.

#include "scan_run.h"

namespace sentinel::scanner {

/// Runs `scan` (which names agents) to its end. The context's `agents` may be null: the job
/// then fails at once, saying that this process has no agent channel.
void run_distributed_job(const JobRunContext& context, QueuedScan& scan, JobControl& control);

}  // namespace sentinel::scanner
