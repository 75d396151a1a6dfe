#pragma once
// Schedules over the table scan_schedules (src/store/migrations/0012_scan_scopes.sql) and the
// thread that starts the due ones through the scanner service.

#include <chrono>
#include <memory>

#include "sentinel/auth/audit_log.h"
#include "sentinel/common/clock.h"
#include "sentinel/scanner/scan_schedules.h"
#include "sentinel/store/database.h"

namespace sentinel::scanner {

class ScannerService;

/// How the scheduler runs.
struct SchedulerOptions {
  /// The shortest interval a schedule may have.
  std::chrono::seconds min_interval{300};
  /// How often the thread looks for due schedules.
  std::chrono::milliseconds tick{1000};
};

/// ScanSchedules with a thread of its own between start() and stop(). Thread-safe.
class ScanScheduler : public ScanSchedules {
 public:
  /// Starts the thread (idempotent).
  virtual void start() = 0;
  /// Stops and joins the thread; the schedules stay (idempotent).
  virtual void stop() = 0;
  /// Starts every schedule due now, once each; what the thread does each tick.
  virtual void run_due() = 0;
};

/// Every collaborator must outlive the scheduler; `scanner` starts and checks the scans,
/// `creators` says whether a schedule's creator may still start them.
std::unique_ptr<ScanScheduler> make_scan_scheduler(store::Database& database, auth::AuditLog& audit,
                                                   const Clock& clock, ScannerService& scanner,
                                                   CreatorLookup creators,
                                                   SchedulerOptions options);

}  // namespace sentinel::scanner
