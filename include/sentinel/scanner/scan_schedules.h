#pragma once
// Scheduled scans (ADR 0005, "Scanner service"): a POST /api/v1/scans body that the scanner
// starts by itself, every N seconds or daily at a UTC time, exactly as the route would.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/auth/auth_types.h"
#include "sentinel/auth/principal.h"
#include "sentinel/common/result.h"
#include "sentinel/scanner/scan_job.h"

namespace sentinel::scanner {

/// When a schedule runs: every `interval_s` seconds, or daily at `daily_minute` (minutes after
/// 00:00 UTC). Exactly one is set. A plain value.
struct ScheduleRecurrence {
  std::int64_t interval_s = 0;  // > 0: an interval schedule
  std::optional<int> daily_minute;
};

/// A schedule as a client writes it (parse_schedule_request). A plain value.
struct ScheduleDefinition {
  std::string name;
  ScanRequest scan;
  std::string scan_json;  // `scan` as the body gave it, serialised: what each run parses again
  ScheduleRecurrence recurrence;
  bool enabled = true;
};

/// A stored schedule. A plain value.
struct ScanSchedule {
  std::int64_t id = 0;
  std::string name;
  std::string scan_json;
  ScheduleRecurrence recurrence;
  /// The interval the scheduler applies: `recurrence.interval_s`, or the minimum interval of
  /// the moment when that was raised above it since the schedule was stored; 0 for a daily one.
  std::int64_t effective_interval_s = 0;
  bool enabled = true;
  std::int64_t next_run_ms = 0;  // when it is due next (meaningless while disabled)
  std::optional<std::int64_t> last_run_ms;
  std::optional<std::int64_t> last_job_id;
  /// Why the latest run did not start (a scope removed since, a job still running, a creator
  /// who may no longer start scans); empty when it started.
  std::string last_error;
  /// The creator's name as it was when they made the schedule, and their user id: the creator
  /// is the user with that id (nullopt: deleted before the id was stored, see migration 0020).
  std::string created_by;
  std::optional<std::int64_t> created_by_id;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
};

/// One page of schedules by name; `total` counts every schedule.
struct ScanSchedulePage {
  std::vector<ScanSchedule> items;
  std::int64_t total = 0;
};

/// The user with this id as the auth service knows them now, with the permissions their roles
/// grant and whether they must enrol TOTP first: kNotFound once deleted (a user made again under
/// the same name has another id), another error when they cannot be known (the database is
/// down). The scheduler asks it before each due run of a schedule the user created. Must be
/// thread-safe.
using CreatorLookup = std::function<Result<auth::Identity>(std::int64_t user_id)>;

/// Schedules and the thread that runs them. Thread-safe. Each due schedule starts one job
/// through ScannerService::start_scan (the same checks, the scope guard of the moment), never
/// while its previous job is queued or running, only while its creator exists, is enabled,
/// holds scans:write and has enrolled TOTP where a role of theirs requires it (could log in and
/// start a scan; see CreatorLookup), and at most once for the runs it missed while no server
/// ran. An interval below min_interval() (raised since the schedule was stored) counts as
/// min_interval(). Changes are audited (`scan_schedule.create`, `.update`, `.delete`, `.run`).
class ScanSchedules {
 public:
  virtual ~ScanSchedules() = default;

  /// The shortest interval a schedule may have; shorter stored ones run at this one.
  virtual std::chrono::seconds min_interval() const = 0;
  /// One page by name. kInvalidArgument for a limit outside 1..kMaxPageLimit or a negative
  /// offset.
  virtual Result<ScanSchedulePage> list(const PageRequest& page) = 0;
  /// kNotFound.
  virtual Result<ScanSchedule> get(std::int64_t id) = 0;
  /// Checks the scan as POST /api/v1/scans would (targets outside every scope are refused,
  /// named) and stores it, first due one recurrence from now. kConflict (field "name") for a
  /// name in use.
  virtual Result<ScanSchedule> create(const auth::Principal& caller,
                                      const ScheduleDefinition& definition,
                                      const auth::ClientInfo& client) = 0;
  /// Replaces a schedule's definition, checked like create(); the next run is counted again from
  /// now. kNotFound; kConflict for a name in use.
  virtual Result<ScanSchedule> update(const auth::Principal& caller, std::int64_t id,
                                      const ScheduleDefinition& definition,
                                      const auth::ClientInfo& client) = 0;
  /// kNotFound. Its jobs stay.
  virtual Status remove(const auth::Principal& caller, std::int64_t id,
                        const auth::ClientInfo& client) = 0;
  /// Starts the schedule's scan now as `caller`, whatever its next run time (which stays).
  /// kNotFound; kConflict while its previous job is queued or running; start_scan's errors
  /// otherwise, also recorded on the schedule.
  virtual Result<ScanJob> run_now(const auth::Principal& caller, std::int64_t id,
                                  const auth::ClientInfo& client) = 0;
};

}  // namespace sentinel::scanner
