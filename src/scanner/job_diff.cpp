#include "job_diff.h"

#include "logger.h"
#include "scan_events.h"

namespace sentinel::scanner {

Result<ScanDiff> job_diff(SqlScanRepository& jobs, const ScanJob& job) {
  ScanDiff diff{.id = job.id};
  SENTINEL_ASSIGN(previous, jobs.previous_completed(job.id, job.scope_key));
  if (!previous) return diff;
  diff.previous_id = *previous;
  SENTINEL_ASSIGN(previous_job, jobs.find(*previous));
  SENTINEL_ASSIGN(before, jobs.results(*previous));
  SENTINEL_ASSIGN(after, jobs.results(job.id));
  diff.changes =
      diff_scans(before, after, host_basis(previous_job ? &*previous_job : nullptr, job));
  return diff;
}

Result<std::size_t> store_changes(store::Database& database, bus::Bus& bus, const ScanDiff& diff,
                                  std::int64_t time_ms) {
  const std::vector<events::NewEvent> rows = change_events(diff, time_ms);
  std::vector<std::int64_t> ids;
  SENTINEL_TRY(database.transact([&](store::Connection& tx) -> Status {
    SENTINEL_TRY(SqlScanRepository(tx).store_diff(diff));
    if (rows.empty()) return ok();
    SENTINEL_ASSIGN(inserted, events::EventStore::insert(tx, rows, time_ms));
    ids = std::move(inserted);
    return ok();
  }));
  for (std::size_t i = 0; i < rows.size() && i < ids.size(); ++i) {
    const events::StoredEvent stored{.id = ids[i],
                                     .agent_id = rows[i].agent_id,
                                     .seq = std::nullopt,
                                     .time_ms = rows[i].time_ms,
                                     .received_ms = time_ms,
                                     .type = rows[i].type,
                                     .data_json = rows[i].data_json};
    if (!bus.publish("event", event_message(stored))) {
      // Stored, so searchable; only live subscribers (detection) miss it.
      scanner_log().warn("scan job={} change event {} not published: the bus is full", diff.id,
                         stored.id);
    }
  }
  return rows.size();
}

}  // namespace sentinel::scanner
