#include "shard_dispatch_run.h"

#include <fmt/format.h>

#include <condition_variable>
#include <mutex>

#include "../auth/autocommit.h"
#include "logger.h"
#include "sql_scan_repository.h"

namespace sentinel::scanner {
namespace {

// The method recorded for a job its agents scanned (each agent picks SYN or connect itself).
constexpr std::string_view kAgentsMethod = "agents";

std::string scope_text(const scan::ScanScope& scope) {
  std::string out;
  for (const scan::AddressRange& range : scope.ranges()) {
    out += (out.empty() ? "" : ",") + range.to_string();
  }
  return out;
}

}  // namespace

void run_distributed_job(const JobRunContext& context, QueuedScan& scan, JobControl& control) {
  const std::int64_t id = scan.id;
  {
    auth::Autocommit connection(context.database);
    Result<bool> started =
        SqlScanRepository(connection).mark_running(id, context.clock.now_ms(), kAgentsMethod);
    if (!started || !*started) return;  // cancelled while queued, or the database is gone
  }
  publish_job(context.database, context.bus, id);
  if (context.agents == nullptr) {
    finish_job(context, id, JobStatus::kFailed, {},
               "this server process has no agent channel (module agents) to run the scan on");
    return;
  }

  ShardDispatch dispatch(context.database, *context.agents, context.clock, context.shards,
                         ShardJob{.id = id,
                                  .agents = *scan.agents,
                                  .targets = &scan.plan.targets,
                                  .ports = scan.plan.ports,
                                  .scope = scope_text(context.scope),
                                  .raw = context.allow_raw,
                                  .service_detection = context.detector != nullptr,
                                  .discovery = scan.discovery,
                                  .limits = scan.limits});
  if (Status prepared = dispatch.prepare(); !prepared) {
    finish_job(context, id, JobStatus::kFailed, dispatch.counters(),
               "the scan could not be cut into shards: " + prepared.error().message);
    return;
  }

  // Rounds every progress interval; a cancel wakes the loop at once.
  std::mutex mutex;
  std::condition_variable woken;
  control.set_canceller([&] {
    std::lock_guard lock(mutex);
    woken.notify_all();
  });
  DispatchState state = DispatchState::kRunning;
  while (!control.cancelled()) {
    state = dispatch.tick();
    {
      auth::Autocommit connection(context.database);
      Result<JobStatus> stored =
          SqlScanRepository(connection).write_progress(id, dispatch.counters());
      if (stored && *stored == JobStatus::kCancelled && !control.cancelled()) {
        control.cancel("cancelled");  // by a DELETE served in another process
      }
    }
    if (state != DispatchState::kRunning) break;
    publish_job(context.database, context.bus, id);
    std::unique_lock lock(mutex);
    woken.wait_for(lock, context.progress_interval, [&] { return control.cancelled(); });
  }
  control.set_canceller({});

  // The end keeps a note written while the job ran: the warnings go with why it ended.
  if (control.cancelled()) {
    dispatch.cancel();
    dispatch.write_note(cancel_note(control));
    finish_job(context, id, JobStatus::kCancelled, dispatch.counters(),
               dispatch.note(cancel_note(control)));
  } else if (state == DispatchState::kFailed) {
    dispatch.cancel();
    dispatch.write_note(dispatch.failure());
    finish_job(context, id, JobStatus::kFailed, dispatch.counters(),
               dispatch.note(dispatch.failure()));
  } else {
    finish_job(context, id, JobStatus::kCompleted, dispatch.counters(), dispatch.note(""));
  }
}

}  // namespace sentinel::scanner
