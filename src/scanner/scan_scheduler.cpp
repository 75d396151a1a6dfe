#include "scan_scheduler.h"

#include <fmt/format.h>

#include <boost/json/object.hpp>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>

#include "../auth/autocommit.h"
#include "logger.h"
#include "scan_body.h"
#include "scanner_audit.h"
#include "schedule_timing.h"
#include "sentinel/common/time_format.h"
#include "sentinel/scanner/scanner_service.h"

namespace sentinel::scanner {
namespace {

constexpr std::string_view kSelectSchedule =
    "SELECT id, name, scan, interval_s, daily_minute, enabled, next_run_at, last_run_at, "
    "last_job_id, last_error, created_by, created_at, updated_at, created_by_id FROM "
    "scan_schedules";

// Due schedules claimed per tick at most; the rest are due at the next tick.
constexpr int kMaxDuePerTick = 100;

// What POST /api/v1/scans and the schedule routes require: a schedule's creator must still hold
// it for the schedule's due runs to start.
constexpr std::string_view kStartScans = "scans:write";

// A row as the scheduler applies it while `min_interval_s` is the shortest interval allowed.
ScanSchedule schedule_of(const store::Row& row, std::int64_t min_interval_s) {
  ScanSchedule schedule;
  schedule.id = row.integer(0);
  schedule.name = row.text(1);
  schedule.scan_json = row.text(2);
  schedule.recurrence.interval_s = row.integer(3);
  if (const auto minute = row.optional_integer(4)) {
    schedule.recurrence.daily_minute = static_cast<int>(*minute);
  }
  schedule.enabled = row.integer(5) != 0;
  schedule.next_run_ms = row.integer(6);
  schedule.last_run_ms = row.optional_integer(7);
  schedule.last_job_id = row.optional_integer(8);
  schedule.last_error = row.text(9);
  schedule.created_by = row.text(10);
  schedule.created_ms = row.integer(11);
  schedule.updated_ms = row.integer(12);
  schedule.created_by_id = row.optional_integer(13);
  const ScheduleRecurrence runs = effective_recurrence(schedule.recurrence, min_interval_s);
  schedule.effective_interval_s = runs.daily_minute ? 0 : runs.interval_s;
  return schedule;
}

store::Value interval_value(const ScheduleRecurrence& recurrence) {
  if (recurrence.daily_minute) return nullptr;
  return recurrence.interval_s;
}

store::Value daily_value(const ScheduleRecurrence& recurrence) {
  if (!recurrence.daily_minute) return nullptr;
  return std::int64_t{*recurrence.daily_minute};
}

std::string target_of(std::int64_t id) { return "scan_schedule:" + std::to_string(id); }

// The scan's own errors name its fields; here they are fields of the schedule's "scan".
Error in_scan(Error error) {
  error.field = error.field.empty() ? "scan" : "scan." + error.field;
  return error;
}

Result<ScanSchedule> name_conflict(Result<ScanSchedule> result, const std::string& name) {
  if (!result && result.error().code == ErrorCode::kConflict) {
    return conflict(fmt::format("a scan schedule named '{}' already exists", name), "name");
  }
  return result;
}

class SqlScanScheduler final : public ScanScheduler {
 public:
  SqlScanScheduler(store::Database& database, auth::AuditLog& audit, const Clock& clock,
                   ScannerService& scanner, CreatorLookup creators, SchedulerOptions options)
      : database_(database),
        audit_(audit),
        clock_(clock),
        scanner_(scanner),
        creators_(std::move(creators)),
        options_(options) {}

  ~SqlScanScheduler() override { stop(); }

  void start() override {
    std::lock_guard lock(thread_mutex_);
    if (thread_.joinable()) return;
    thread_ = std::jthread([this](std::stop_token stop) { loop(stop); });
  }

  void stop() override {
    std::lock_guard lock(thread_mutex_);
    if (!thread_.joinable()) return;
    thread_.request_stop();
    wake_.notify_all();
    thread_.join();
    thread_ = std::jthread();
  }

  std::chrono::seconds min_interval() const override { return options_.min_interval; }

  Result<ScanSchedulePage> list(const PageRequest& page) override {
    SENTINEL_TRY(check_page(page));
    SENTINEL_ASSIGN(counted, database_.query("SELECT COUNT(*) FROM scan_schedules"));
    SENTINEL_ASSIGN(rows, database_.query(fmt::format("{} ORDER BY name, id LIMIT {} OFFSET {}",
                                                      kSelectSchedule, page.limit, page.offset)));
    ScanSchedulePage out;
    out.total = counted.empty() ? 0 : counted.front().integer(0);
    for (const store::Row& row : rows) out.items.push_back(schedule_of(row, min_interval_s()));
    return out;
  }

  Result<ScanSchedule> get(std::int64_t id) override {
    SENTINEL_ASSIGN(rows, database_.query(std::string(kSelectSchedule) + " WHERE id = $1", {id}));
    if (rows.empty()) return not_found("No such scan schedule.");
    return schedule_of(rows.front(), min_interval_s());
  }

  Result<ScanSchedule> create(const auth::Principal& caller, const ScheduleDefinition& definition,
                              const auth::ClientInfo& client) override {
    if (Status checked = scanner_.check_scan(definition.scan); !checked) {
      return in_scan(std::move(checked).error());
    }
    const std::int64_t now = clock_.now_ms();
    const std::int64_t next = first_run_ms(definition.recurrence, now);
    auto rows = database_.query(
        "INSERT INTO scan_schedules (name, scan, interval_s, daily_minute, enabled, next_run_at, "
        "created_by, created_by_id, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        {definition.name, definition.scan_json, interval_value(definition.recurrence),
         daily_value(definition.recurrence), std::int64_t{definition.enabled ? 1 : 0}, next,
         caller.username, caller.user_id, now});
    if (!rows) return name_conflict(std::move(rows).error(), definition.name);
    const std::int64_t id = rows->at(0).integer(0);
    record_audit(audit_, caller.username, client, "scan_schedule.create", target_of(id),
                 definition_details(definition));
    scanner_log().info("scan schedule created id={} name=\"{}\" by={} next={}", id, definition.name,
                       caller.username, iso8601_utc(next));
    return get(id);
  }

  Result<ScanSchedule> update(const auth::Principal& caller, std::int64_t id,
                              const ScheduleDefinition& definition,
                              const auth::ClientInfo& client) override {
    SENTINEL_TRY(get(id));
    if (Status checked = scanner_.check_scan(definition.scan); !checked) {
      return in_scan(std::move(checked).error());
    }
    const std::int64_t now = clock_.now_ms();
    auto updated = database_.execute(
        "UPDATE scan_schedules SET name = $1, scan = $2, interval_s = $3, daily_minute = $4, "
        "enabled = $5, next_run_at = $6, updated_at = $7 WHERE id = $8",
        {definition.name, definition.scan_json, interval_value(definition.recurrence),
         daily_value(definition.recurrence), std::int64_t{definition.enabled ? 1 : 0},
         first_run_ms(definition.recurrence, now), now, id});
    if (!updated) return name_conflict(std::move(updated).error(), definition.name);
    if (*updated == 0) return not_found("No such scan schedule.");
    record_audit(audit_, caller.username, client, "scan_schedule.update", target_of(id),
                 definition_details(definition));
    return get(id);
  }

  Status remove(const auth::Principal& caller, std::int64_t id,
                const auth::ClientInfo& client) override {
    SENTINEL_ASSIGN(schedule, get(id));
    SENTINEL_ASSIGN(deleted, database_.execute("DELETE FROM scan_schedules WHERE id = $1", {id}));
    if (deleted == 0) return not_found("No such scan schedule.");
    record_audit(audit_, caller.username, client, "scan_schedule.delete", target_of(id),
                 boost::json::object{{"name", schedule.name}});
    return ok();
  }

  Result<ScanJob> run_now(const auth::Principal& caller, std::int64_t id,
                          const auth::ClientInfo& client) override {
    std::lock_guard lock(launch_mutex_);
    SENTINEL_ASSIGN(schedule, get(id));
    return launch(schedule, caller, client, std::nullopt);
  }

  void run_due() override {
    const std::int64_t now = clock_.now_ms();
    auto rows = database_.query(std::string(kSelectSchedule) +
                                    " WHERE enabled = 1 AND next_run_at <= $1 "
                                    "ORDER BY next_run_at, id LIMIT " +
                                    std::to_string(kMaxDuePerTick),
                                {now});
    if (!rows) {
      scanner_log().warn("scan schedules not read: {}", rows.error().message);
      return;
    }
    for (const store::Row& row : *rows) {
      const ScanSchedule schedule = schedule_of(row, min_interval_s());
      // Claimed by moving its next run; a server sharing the database that moved it first
      // runs it instead. An interval below today's minimum moves it by the minimum.
      const std::int64_t next = next_run_ms(
          effective_recurrence(schedule.recurrence, min_interval_s()), schedule.next_run_ms, now);
      auto claimed = database_.execute(
          "UPDATE scan_schedules SET next_run_at = $1 WHERE id = $2 AND next_run_at = $3 AND "
          "enabled = 1",
          {next, schedule.id, schedule.next_run_ms});
      if (!claimed || *claimed == 0) continue;
      if (const std::string why = creator_refusal(schedule); !why.empty()) {
        skip(schedule, schedule.next_run_ms, why);
        continue;
      }
      auth::Principal runner;
      runner.username = "schedule:" + schedule.name;
      std::lock_guard lock(launch_mutex_);
      (void)launch(schedule, runner, auth::ClientInfo{}, schedule.next_run_ms);
    }
  }

 private:
  static boost::json::object definition_details(const ScheduleDefinition& definition) {
    boost::json::object details{
        {"name", definition.name}, {"scan", definition.scan_json}, {"enabled", definition.enabled}};
    if (definition.recurrence.daily_minute) {
      details["daily_at"] = daily_time_text(*definition.recurrence.daily_minute);
    } else {
      details["interval_s"] = definition.recurrence.interval_s;
    }
    return details;
  }

  void loop(std::stop_token stop) {
    scanner_log().info("scan scheduler started tick_ms={} min_interval_s={}", options_.tick.count(),
                       min_interval_s());
    std::mutex mutex;
    std::unique_lock lock(mutex);
    while (!stop.stop_requested()) {
      run_due();
      wake_.wait_for(lock, stop, options_.tick, [] { return false; });
    }
  }

  // Starts the schedule's scan as `caller`; `due_ms` is the run the scheduler claimed, nullopt
  // for run-now. The outcome is written on the schedule either way. launch_mutex_ is held, so
  // that one process never starts two jobs of a schedule at once.
  Result<ScanJob> launch(const ScanSchedule& schedule, const auth::Principal& caller,
                         const auth::ClientInfo& client, std::optional<std::int64_t> due_ms) {
    const std::int64_t now = clock_.now_ms();
    if (schedule.last_job_id) {
      auto previous = scanner_.get(*schedule.last_job_id);
      if (previous &&
          (previous->status == JobStatus::kQueued || previous->status == JobStatus::kRunning)) {
        std::string why = fmt::format("its previous job {} is still {}", previous->id,
                                      to_string(previous->status));
        if (due_ms) skip(schedule, *due_ms, why);
        return conflict(fmt::format("scan schedule '{}' cannot run now: {}", schedule.name, why),
                        "id");
      }
    }
    auto request = parse_scan_request(schedule.scan_json);
    Result<ScanJob> job =
        request ? scanner_.start_scan(caller, *request, client) : Result<ScanJob>(request.error());
    if (!job) {
      const std::string why = job.error().message;
      note(schedule.id, now, std::nullopt, "the scan did not start: " + why);
      record_audit(audit_, caller.username, client, "scan_schedule.run", target_of(schedule.id),
                   boost::json::object{{"name", schedule.name}, {"error", why}}, "failure");
      scanner_log().warn("scan schedule run failed id={} name=\"{}\": {}", schedule.id,
                         schedule.name, why);
      return job;
    }
    note(schedule.id, now, job->id, "");
    record_audit(
        audit_, caller.username, client, "scan_schedule.run", target_of(schedule.id),
        boost::json::object{
            {"name", schedule.name}, {"job_id", job->id}, {"scheduled", due_ms.has_value()}});
    scanner_log().info("scan schedule ran id={} name=\"{}\" job={} by={}", schedule.id,
                       schedule.name, job->id, caller.username);
    return job;
  }

  std::int64_t min_interval_s() const { return options_.min_interval.count(); }

  // Why the due runs of `schedule` may not start now, as its creator could not log in and start
  // a scan; empty when they may. A creator who cannot be checked counts as one who may not: a
  // user whose access was revoked must not keep scanning while the auth tables cannot be read.
  std::string creator_refusal(const ScanSchedule& schedule) const {
    const std::string& creator = schedule.created_by;
    const Result<auth::Identity> found = schedule.created_by_id
                                             ? creators_(*schedule.created_by_id)
                                             : Result<auth::Identity>(not_found("No such user."));
    if (!found && found.error().code == ErrorCode::kNotFound) {
      return fmt::format("its creator '{}' has been deleted", creator);
    }
    if (!found) {
      return fmt::format("its creator '{}' could not be checked ({})", creator,
                         found.error().message);
    }
    if (found->user.disabled) return fmt::format("its creator '{}' is disabled", creator);
    if (!found->permissions.contains(kStartScans)) {
      return fmt::format("its creator '{}' may no longer start scans (no {})", creator,
                         kStartScans);
    }
    // Such a user's login gets an enrolment session only, which starts no scan.
    if (found->totp_enrollment_required) {
      return fmt::format(
          "its creator '{}' may not start scans until they set up two-factor authentication "
          "(a role of theirs requires it)",
          creator);
    }
    return {};
  }

  // Notes on the schedule that its run due at `due_ms` did not start, and why; the next run is
  // already claimed, so the schedule does not spin and runs again when the reason is gone.
  void skip(const ScanSchedule& schedule, std::int64_t due_ms, const std::string& why) {
    note(schedule.id, std::nullopt, std::nullopt,
         fmt::format("the run due at {} was skipped: {}", iso8601_utc(due_ms), why));
    scanner_log().info("scan schedule run skipped id={} name=\"{}\": {}", schedule.id,
                       schedule.name, why);
  }

  // Writes a run's outcome: when it ran and its job (kept when unset), and the error (NULL when
  // empty). A failure here only costs the note, which the log keeps.
  void note(std::int64_t id, std::optional<std::int64_t> ran_ms, std::optional<std::int64_t> job,
            const std::string& error) {
    auto written = database_.execute(
        "UPDATE scan_schedules SET last_run_at = COALESCE($1, last_run_at), "
        "last_job_id = COALESCE($2, last_job_id), last_error = $3 WHERE id = $4",
        {ran_ms ? store::Value(*ran_ms) : store::Value(nullptr),
         job ? store::Value(*job) : store::Value(nullptr),
         error.empty() ? store::Value(nullptr) : store::Value(error), id});
    if (!written) {
      scanner_log().error("scan schedule {} outcome not written: {} ({})", id,
                          written.error().message, error);
    }
  }

  store::Database& database_;
  auth::AuditLog& audit_;
  const Clock& clock_;
  ScannerService& scanner_;
  const CreatorLookup creators_;
  const SchedulerOptions options_;
  std::mutex launch_mutex_;
  std::mutex thread_mutex_;
  std::condition_variable_any wake_;
  std::jthread thread_;
};

}  // namespace

std::unique_ptr<ScanScheduler> make_scan_scheduler(store::Database& database, auth::AuditLog& audit,
                                                   const Clock& clock, ScannerService& scanner,
                                                   CreatorLookup creators,
                                                   SchedulerOptions options) {
  return std::make_unique<SqlScanScheduler>(database, audit, clock, scanner, std::move(creators),
                                            options);
}

}  // namespace sentinel::scanner
