// The scheduler's due runs on a real SQLite database with a manual clock, a fake scanner and a
// fake creator lookup: a due run starts only while the schedule's creator (by user id) exists, is
// enabled, holds scans:write and has enrolled TOTP where required; otherwise it is skipped, says
// why on the schedule, and the next run moves on. An interval below the scheduler's minimum (raised
// since the schedule was stored) runs at the minimum.

#include "src/scanner/scan_scheduler.h"

#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>

#include "sentinel/bus/bus.h"
#include "sentinel/common/clock.h"
#include "sentinel/common/time_format.h"
#include "sentinel/scanner/scanner_service.h"
#include "src/scanner/scan_body.h"
#include "tests/support/test_database.h"

namespace sentinel::scanner {
namespace {

constexpr std::int64_t kIntervalS = 300;
constexpr std::int64_t kIntervalMs = kIntervalS * 1000;

// Starts nothing for real: records who asked and hands out job ids; every job has completed,
// so that no run is skipped for a job still running.
class FakeScanner final : public ScannerService {
 public:
  std::string_view name() const override { return "scanner"; }
  Status start() override { return ok(); }
  void stop() override {}
  std::vector<std::string> scopes() const override { return {"127.68.0.0/16"}; }
  ScopeRegistry& scope_registry() override { throw std::logic_error("not used by the scheduler"); }
  ScanSchedules& schedules() override { throw std::logic_error("not used by the scheduler"); }
  Status check_scan(const ScanRequest& /*request*/) override { return ok(); }
  Result<ScanJob> start_scan(const auth::Principal& caller, const ScanRequest& request,
                             const auth::ClientInfo& /*client*/) override {
    ScanJob job;
    job.id = static_cast<std::int64_t>(started.size()) + 1;
    job.status = JobStatus::kQueued;
    job.targets = request.targets;
    job.requested_by = caller.username;
    started.push_back(job.requested_by);
    return job;
  }
  Result<ScanJob> import_nmap(const auth::Principal& /*caller*/, std::string_view /*xml*/,
                              const auth::ClientInfo& /*client*/) override {
    return unavailable("not used by the scheduler");
  }
  Result<ScanJob> get(std::int64_t id) override {
    ScanJob job;
    job.id = id;
    job.status = JobStatus::kCompleted;
    return job;
  }
  Result<ScanJobPage> list(const ScanJobFilter& /*filter*/) override { return ScanJobPage{}; }
  Result<FoundHostPage> results(std::int64_t /*id*/, const PageRequest& /*page*/) override {
    return FoundHostPage{};
  }
  Result<ScanDiffPage> diff(std::int64_t /*id*/, const PageRequest& /*page*/) override {
    return ScanDiffPage{};
  }
  Result<ScanJob> cancel(const auth::Principal& /*caller*/, std::int64_t /*id*/,
                         const auth::ClientInfo& /*client*/) override {
    return unavailable("not used by the scheduler");
  }

  std::vector<std::string> started;  // requested_by of each job, in order
};

constexpr std::int64_t kBobId = 7;

auth::Identity user(std::set<std::string, std::less<>> permissions, bool disabled = false,
                    bool totp_enrollment_required = false) {
  auth::Identity identity;
  identity.totp_enrollment_required = totp_enrollment_required;
  identity.user.id = kBobId;
  identity.user.username = "bob";
  identity.user.roles = {"scanners"};
  identity.user.disabled = disabled;
  identity.permissions = std::move(permissions);
  return identity;
}

class SchedulerCreatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = test::open_test_database("sqlite", dir_);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    bus_ = bus::make_inproc_bus();
    audit_ = auth::make_audit_log(*db_, *bus_, clock_);
    scheduler_ = make_scheduler({});
    auth::Principal bob;
    bob.user_id = kBobId;
    bob.username = "bob";
    bob.permissions = {"scans:read", "scans:write"};
    ScheduleDefinition definition;
    definition.name = "nightly";
    definition.scan_json = R"({"targets":["127.68.1.1"],"ports":"80"})";
    auto scan = parse_scan_request(definition.scan_json);
    ASSERT_TRUE(scan) << scan.error().message;
    definition.scan = *scan;
    definition.recurrence.interval_s = kIntervalS;
    auto made = scheduler_->create(bob, definition, {});
    ASSERT_TRUE(made) << made.error().message;
    schedule_id_ = made->id;
    due_ms_ = made->next_run_ms;
  }

  // A scheduler over the same database whose creator lookup knows only creator_, by id.
  std::unique_ptr<ScanScheduler> make_scheduler(SchedulerOptions options) {
    return make_scan_scheduler(
        *db_, *audit_, clock_, scanner_,
        [this](std::int64_t user_id) -> Result<auth::Identity> {
          looked_up_.push_back(user_id);
          if (lookup_error_) return *lookup_error_;
          if (!creator_ || creator_->user.id != user_id) {
            return not_found("No such user.");
          }
          return *creator_;
        },
        options);
  }

  ScanSchedule schedule() {
    auto current = scheduler_->get(schedule_id_);
    EXPECT_TRUE(current) << current.error().message;
    return current ? *current : ScanSchedule{};
  }

  // Moves the clock to the schedule's next run and lets the scheduler look.
  void run_when_due() {
    clock_.set_ms(schedule().next_run_ms);
    scheduler_->run_due();
  }

  std::string skipped_because(const std::string& why) const {
    return "the run due at " + iso8601_utc(due_ms_) + " was skipped: " + why;
  }

  test::TempDir dir_{"sentinel-scheduler"};
  ManualClock clock_{1795651200000};  // 2026-11-26T00:00:00Z
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<bus::Bus> bus_;
  std::unique_ptr<auth::AuditLog> audit_;
  FakeScanner scanner_;
  std::optional<auth::Identity> creator_ = user({"scans:read", "scans:write"});
  std::optional<Error> lookup_error_;
  std::vector<std::int64_t> looked_up_;
  std::unique_ptr<ScanScheduler> scheduler_;
  std::int64_t schedule_id_ = 0;
  std::int64_t due_ms_ = 0;
};

TEST_F(SchedulerCreatorTest, ACreatorWhoMayScanGetsTheRun) {
  run_when_due();
  EXPECT_EQ(scanner_.started, std::vector<std::string>{"schedule:nightly"});
  EXPECT_EQ(looked_up_, std::vector<std::int64_t>{kBobId});
  const ScanSchedule after = schedule();
  EXPECT_EQ(after.created_by, "bob");
  EXPECT_EQ(after.created_by_id, kBobId);
  EXPECT_EQ(after.last_job_id, 1);
  EXPECT_EQ(after.last_error, "");
  EXPECT_EQ(after.next_run_ms, due_ms_ + kIntervalMs);
}

TEST_F(SchedulerCreatorTest, ACreatorWithoutScansWriteLosesTheRunAndTheScheduleMovesOn) {
  creator_ = user({"scans:read"});
  run_when_due();
  EXPECT_TRUE(scanner_.started.empty());
  const ScanSchedule after = schedule();
  EXPECT_EQ(after.last_error,
            skipped_because("its creator 'bob' may no longer start scans (no scans:write)"));
  EXPECT_FALSE(after.last_job_id);
  EXPECT_EQ(after.next_run_ms, due_ms_ + kIntervalMs);
  // Not due again until then: no second look, no spinning.
  scheduler_->run_due();
  EXPECT_EQ(looked_up_.size(), 1u);
}

TEST_F(SchedulerCreatorTest, ADeletedCreatorLosesTheRun) {
  creator_.reset();
  run_when_due();
  EXPECT_TRUE(scanner_.started.empty());
  EXPECT_EQ(schedule().last_error, skipped_because("its creator 'bob' has been deleted"));
}

TEST_F(SchedulerCreatorTest, ANewUserOfTheSameNameIsNotTheCreator) {
  creator_ = user({"scans:read", "scans:write"});
  creator_->user.id = kBobId + 1;  // bob deleted, a new bob made
  run_when_due();
  EXPECT_TRUE(scanner_.started.empty());
  EXPECT_EQ(looked_up_, std::vector<std::int64_t>{kBobId});
  EXPECT_EQ(schedule().last_error, skipped_because("its creator 'bob' has been deleted"));
}

TEST_F(SchedulerCreatorTest, AScheduleWhoseCreatorIdWasNeverStoredHasADeletedCreator) {
  // What migration 0020 leaves when the name's user was gone (or made again) by then.
  ASSERT_TRUE(
      db_->execute("UPDATE scan_schedules SET created_by_id = NULL WHERE id = $1", {schedule_id_}));
  run_when_due();
  EXPECT_TRUE(scanner_.started.empty());
  EXPECT_TRUE(looked_up_.empty());
  EXPECT_EQ(schedule().last_error, skipped_because("its creator 'bob' has been deleted"));
  EXPECT_EQ(schedule().next_run_ms, due_ms_ + kIntervalMs);
}

TEST_F(SchedulerCreatorTest, ACreatorWhoMustSetUpTwoFactorLosesTheRunUntilTheyDo) {
  creator_ = user({"scans:read", "scans:write"}, /*disabled=*/false,
                  /*totp_enrollment_required=*/true);
  run_when_due();
  EXPECT_TRUE(scanner_.started.empty());
  EXPECT_EQ(schedule().last_error,
            skipped_because("its creator 'bob' may not start scans until they set up two-factor "
                            "authentication (a role of theirs requires it)"));
  creator_ = user({"scans:read", "scans:write"});  // enrolled
  run_when_due();
  EXPECT_EQ(scanner_.started, std::vector<std::string>{"schedule:nightly"});
  EXPECT_EQ(schedule().last_error, "");
}

TEST_F(SchedulerCreatorTest, AnIntervalBelowARaisedMinimumRunsAtTheMinimum) {
  EXPECT_EQ(schedule().effective_interval_s, kIntervalS);
  // The admin raised scanner.schedule_min_interval_s to an hour and restarted the server.
  scheduler_ = make_scheduler({.min_interval = std::chrono::hours(1)});
  const ScanSchedule stored = schedule();
  EXPECT_EQ(stored.recurrence.interval_s, kIntervalS);
  EXPECT_EQ(stored.effective_interval_s, 3600);
  run_when_due();  // the run due under the old interval
  EXPECT_EQ(scanner_.started.size(), 1u);
  EXPECT_EQ(schedule().next_run_ms, due_ms_ + 3600 * 1000);
  // Nothing in between: not at the old interval, nor a moment before the hour.
  clock_.set_ms(due_ms_ + kIntervalMs);
  scheduler_->run_due();
  clock_.set_ms(due_ms_ + 3600 * 1000 - 1);
  scheduler_->run_due();
  EXPECT_EQ(scanner_.started.size(), 1u);
  run_when_due();
  EXPECT_EQ(scanner_.started.size(), 2u);
  EXPECT_EQ(schedule().next_run_ms, due_ms_ + 2 * 3600 * 1000);
}

TEST_F(SchedulerCreatorTest, ADisabledCreatorLosesTheRunEvenWithScansWrite) {
  creator_ = user({"scans:read", "scans:write"}, /*disabled=*/true);
  run_when_due();
  EXPECT_TRUE(scanner_.started.empty());
  EXPECT_EQ(schedule().last_error, skipped_because("its creator 'bob' is disabled"));
}

TEST_F(SchedulerCreatorTest, ACreatorWhoCannotBeCheckedLosesTheRun) {
  lookup_error_ = unavailable("the database is unreachable");
  run_when_due();
  EXPECT_TRUE(scanner_.started.empty());
  const ScanSchedule after = schedule();
  EXPECT_EQ(after.last_error, skipped_because("its creator 'bob' could not be checked (the "
                                              "database is unreachable)"));
  EXPECT_EQ(after.next_run_ms, due_ms_ + kIntervalMs);
}

TEST_F(SchedulerCreatorTest, TheScheduleResumesOnceTheCreatorMayScanAgain) {
  creator_ = user({"scans:read"});
  run_when_due();
  ASSERT_TRUE(scanner_.started.empty());
  creator_ = user({"scans:read", "scans:write"});
  run_when_due();
  EXPECT_EQ(scanner_.started, std::vector<std::string>{"schedule:nightly"});
  const ScanSchedule after = schedule();
  EXPECT_EQ(after.last_job_id, 1);
  EXPECT_EQ(after.last_error, "");
}

TEST_F(SchedulerCreatorTest, RunNowIsTheCallersAndNotTheCreators) {
  creator_.reset();
  auth::Principal admin;
  admin.user_id = 1;
  admin.username = "admin";
  admin.permissions = {"scans:write"};
  auto job = scheduler_->run_now(admin, schedule_id_, {});
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ(scanner_.started, std::vector<std::string>{"admin"});
  EXPECT_TRUE(looked_up_.empty());
}

}  // namespace
}  // namespace sentinel::scanner
