#pragma once
// A job's changes: computed from the stored results of the job and of the previous completed
// job of its scope, and stored as `scan.change` events.

#include <cstdint>

#include "sentinel/bus/bus.h"
#include "sentinel/common/result.h"
#include "sentinel/scanner/scan_diff.h"
#include "sentinel/store/database.h"
#include "sql_scan_repository.h"

namespace sentinel::scanner {

/// The diff of `job` against the newest completed job of the same scope older than it; no
/// previous job (or an import, which has no scope): no previous_id and no changes.
Result<ScanDiff> job_diff(SqlScanRepository& jobs, const ScanJob& job);

/// Stores the diff (for its pages: SqlScanRepository::store_diff) and its changes as events in
/// one transaction, then publishes each event on the topic "event"; returns how many.
Result<std::size_t> store_changes(store::Database& database, bus::Bus& bus, const ScanDiff& diff,
                                  std::int64_t time_ms);

}  // namespace sentinel::scanner
