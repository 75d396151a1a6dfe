// Scan schedules without a server: when a schedule is due (first run, the run after a claimed
// one, catching up once after downtime, daily times across midnight), and the bodies of the
// schedule and scope routes, whose every refusal names the field.

#include <gtest/gtest.h>

#include "sentinel/common/clock.h"
#include "src/scanner/scan_body.h"
#include "src/scanner/schedule_body.h"
#include "src/scanner/schedule_timing.h"
#include "src/scanner/scope_body.h"

namespace sentinel::scanner {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kMinute = 60 * 1000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;
// 2026-11-26T00:00:00Z.
constexpr std::int64_t kMidnight = 1795651200000;

ScheduleRecurrence every(std::int64_t seconds) { return {.interval_s = seconds}; }
ScheduleRecurrence daily(int minute) { return {.daily_minute = minute}; }

TEST(ScheduleTimingTest, AnIntervalScheduleFirstRunsOneIntervalAfterItIsMade) {
  const ManualClock clock(kMidnight + 7 * kMinute + 123);
  EXPECT_EQ(first_run_ms(every(300), clock.now_ms()), clock.now_ms() + 5 * kMinute);
}

TEST(ScheduleTimingTest, AnIntervalScheduleKeepsItsPhase) {
  ManualClock clock(kMidnight);
  const std::int64_t due = first_run_ms(every(600), clock.now_ms());
  // The scheduler claims the run 2 s late: the next is still on the 10-minute grid.
  clock.set_ms(due + 2000);
  EXPECT_EQ(next_run_ms(every(600), due, clock.now_ms()), due + 10 * kMinute);
  // Claimed at the very instant it is due.
  EXPECT_EQ(next_run_ms(every(600), due, due), due + 10 * kMinute);
}

TEST(ScheduleTimingTest, AfterDowntimeMissedRunsAreNotMadeUp) {
  ManualClock clock(kMidnight);
  const std::int64_t due = first_run_ms(every(300), clock.now_ms());
  // The server was down for 3 h 2 min: 36 runs were missed; the one claimed now is the single
  // catch-up, and the next lies strictly after now, on the grid.
  clock.set_ms(due + 3 * kHour + 2 * kMinute);
  const std::int64_t next = next_run_ms(every(300), due, clock.now_ms());
  EXPECT_GT(next, clock.now_ms());
  EXPECT_LE(next, clock.now_ms() + 5 * kMinute);
  EXPECT_EQ((next - due) % (5 * kMinute), 0);
  EXPECT_EQ(next, due + 3 * kHour + 5 * kMinute);
}

TEST(ScheduleTimingTest, ADailyScheduleRunsAtItsUtcTimeStrictlyAfterNow) {
  const int at_0230 = 2 * 60 + 30;
  // Made at 01:00: today at 02:30. Made at 02:30 exactly, or at 23:59: tomorrow.
  EXPECT_EQ(first_run_ms(daily(at_0230), kMidnight + kHour), kMidnight + 2 * kHour + 30 * kMinute);
  EXPECT_EQ(first_run_ms(daily(at_0230), kMidnight + 2 * kHour + 30 * kMinute),
            kMidnight + kDay + 2 * kHour + 30 * kMinute);
  EXPECT_EQ(first_run_ms(daily(at_0230), kMidnight + 23 * kHour + 59 * kMinute),
            kMidnight + kDay + 2 * kHour + 30 * kMinute);
  EXPECT_EQ(first_run_ms(daily(0), kMidnight), kMidnight + kDay);
  // Claimed 3 days late: once now, then tomorrow's, not the three missed ones.
  const std::int64_t due = kMidnight + 2 * kHour + 30 * kMinute;
  EXPECT_EQ(next_run_ms(daily(at_0230), due, due + 3 * kDay + kHour), due + 4 * kDay);
}

TEST(ScheduleTimingTest, DailyTimesAreStrictHhMm) {
  EXPECT_EQ(parse_daily_time("00:00"), 0);
  EXPECT_EQ(parse_daily_time("02:30"), 150);
  EXPECT_EQ(parse_daily_time("23:59"), 23 * 60 + 59);
  for (const char* bad : {"24:00", "2:30", "02:60", "0230", "02:30Z", " 02:30", "aa:bb", ""}) {
    EXPECT_FALSE(parse_daily_time(bad)) << bad;
  }
  EXPECT_EQ(daily_time_text(150), "02:30");
  EXPECT_EQ(daily_time_text(0), "00:00");
}

void expect_schedule_refused(std::string_view body, std::string_view field,
                             std::string_view words) {
  const auto parsed = parse_schedule_request(body, 300s);
  ASSERT_FALSE(parsed) << body;
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << body;
  EXPECT_EQ(parsed.error().field, field) << body << " -> " << parsed.error().message;
  EXPECT_NE(parsed.error().message.find(words), std::string::npos)
      << body << " -> " << parsed.error().message;
}

TEST(ScheduleBodyTest, EmbedsAScanBody) {
  const auto parsed = parse_schedule_request(
      R"({"name":"nightly web","scan":{"targets":["127.91.0.0/29"],"ports":"22,80",)"
      R"("exclude":["127.91.0.3"]},"interval_s":900,"enabled":false})",
      300s);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->name, "nightly web");
  EXPECT_EQ(parsed->scan.targets, std::vector<std::string>{"127.91.0.0/29"});
  EXPECT_EQ(parsed->scan.exclude, std::vector<std::string>{"127.91.0.3"});
  EXPECT_EQ(parsed->scan.ports, "22,80");
  EXPECT_EQ(parsed->recurrence.interval_s, 900);
  EXPECT_FALSE(parsed->recurrence.daily_minute);
  EXPECT_FALSE(parsed->enabled);
  // What each run parses again is the same scan.
  const auto again = parse_scan_request(parsed->scan_json);
  ASSERT_TRUE(again) << parsed->scan_json;
  EXPECT_EQ(again->targets, parsed->scan.targets);
  EXPECT_EQ(again->ports, "22,80");

  const auto daily_body = parse_schedule_request(
      R"({"name":"d","scan":{"targets":["127.91.0.1"],"profile":"quick"},"daily_at":"02:30"})",
      300s);
  ASSERT_TRUE(daily_body) << daily_body.error().message;
  EXPECT_EQ(daily_body->recurrence.daily_minute, 150);
  EXPECT_TRUE(daily_body->enabled);
}

TEST(ScheduleBodyTest, AScheduledScanKeepsItsCapsForEveryRun) {
  const auto parsed = parse_schedule_request(
      R"({"name":"gentle","scan":{"targets":["127.91.0.0/29"],"max_rate":20,)"
      R"("max_concurrency":4},"interval_s":900})",
      300s);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->scan.limits, (ProbeLimits{.max_rate = 20, .max_concurrency = 4}));
  const auto again = parse_scan_request(parsed->scan_json);
  ASSERT_TRUE(again) << parsed->scan_json;
  EXPECT_EQ(again->limits, parsed->scan.limits);
  expect_schedule_refused(
      R"({"name":"a","interval_s":300,"scan":{"targets":["127.91.0.1"],"max_rate":0}})",
      "scan.max_rate", "more than 0");
  expect_schedule_refused(
      R"({"name":"a","interval_s":300,"scan":{"targets":["127.91.0.1"],"max_concurrency":"8"}})",
      "scan.max_concurrency", "integer");
}

TEST(ScheduleBodyTest, RefusalsNameTheField) {
  const std::string scan = R"("scan":{"targets":["127.91.0.1"]})";
  expect_schedule_refused(R"({"scan":{"targets":["127.91.0.1"]},"interval_s":300})", "name",
                          "name");
  expect_schedule_refused(R"({"name":"","interval_s":300,)" + scan + "}", "name", "empty");
  expect_schedule_refused(R"({"name":"a\u0001b","interval_s":300,)" + scan + "}", "name",
                          "control");
  expect_schedule_refused(
      R"({"name":")" + std::string(101, 'x') + R"(","interval_s":300,)" + scan + "}", "name",
      "longer");
  expect_schedule_refused(R"({"name":"a","interval_s":300})", "scan", "required");
  expect_schedule_refused(R"({"name":"a","interval_s":300,"scan":["127.91.0.1"]})", "scan",
                          "object");
  // The scan body's own errors, addressed inside "scan".
  expect_schedule_refused(R"({"name":"a","interval_s":300,"scan":{"targets":[]}})", "scan.targets",
                          "at least one target");
  expect_schedule_refused(
      R"({"name":"a","interval_s":300,"scan":{"targets":["127.91.0.1"],"profile":"huge"}})",
      "scan.profile", "quick, standard or full");
  expect_schedule_refused(
      R"({"name":"a","interval_s":300,"scan":{"targets":["127.91.0.1"],"speed":1}})", "scan.speed",
      "speed");
  // When.
  expect_schedule_refused(R"({"name":"a",)" + scan + "}", "interval_s", "required");
  expect_schedule_refused(R"({"name":"a","interval_s":299,)" + scan + "}", "interval_s",
                          "between 300");
  expect_schedule_refused(R"({"name":"a","interval_s":2678401,)" + scan + "}", "interval_s",
                          "between 300");
  expect_schedule_refused(R"({"name":"a","interval_s":"300",)" + scan + "}", "interval_s",
                          "interval_s");
  expect_schedule_refused(R"({"name":"a","interval_s":300,"daily_at":"02:00",)" + scan + "}",
                          "interval_s", "not both");
  expect_schedule_refused(R"({"name":"a","daily_at":"2am",)" + scan + "}", "daily_at", "HH:MM");
  expect_schedule_refused(R"({"name":"a","interval_s":300,"enabled":"yes",)" + scan + "}",
                          "enabled", "enabled");
  expect_schedule_refused(R"({"name":"a","interval_s":300,"every":5,)" + scan + "}", "every",
                          "every");
}

TEST(ScheduleBodyTest, TheMinimumIntervalIsTheServers) {
  const std::string body =
      R"({"name":"a","interval_s":2,"scan":{"targets":["127.91.0.1"],"ports":"80"}})";
  EXPECT_FALSE(parse_schedule_request(body, 300s));
  const auto parsed = parse_schedule_request(body, 1s);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->recurrence.interval_s, 2);
}

void expect_scope_refused(std::string_view body, std::string_view field, std::string_view words) {
  const auto parsed = parse_scope_request(body);
  ASSERT_FALSE(parsed) << body;
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << body;
  EXPECT_EQ(parsed.error().field, field) << body << " -> " << parsed.error().message;
  EXPECT_NE(parsed.error().message.find(words), std::string::npos)
      << body << " -> " << parsed.error().message;
}

TEST(ScopeBodyTest, TakesOneCanonicalBlock) {
  const auto parsed = parse_scope_request(R"({"cidr":"127.91.0.0/16","comment":"lab"})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->range.to_string(), "127.91.0.0/16");
  EXPECT_EQ(parsed->comment, "lab");
  const auto address = parse_scope_request(R"({"cidr":"127.91.0.7"})");
  ASSERT_TRUE(address) << address.error().message;
  EXPECT_EQ(address->range.to_string(), "127.91.0.7");
  const auto v6 = parse_scope_request(R"({"cidr":"2001:db8::/32"})");
  ASSERT_TRUE(v6) << v6.error().message;
  EXPECT_EQ(v6->range.to_string(), "2001:db8::/32");
}

TEST(ScopeBodyTest, BroadBlocksNeedAConfirmation) {
  EXPECT_TRUE(parse_scope_request(R"({"cidr":"10.0.0.0/8"})"));
  expect_scope_refused(R"({"cidr":"10.0.0.0/7"})", "confirm_broad", "confirm_broad");
  expect_scope_refused(R"({"cidr":"0.0.0.0/0"})", "confirm_broad", "4294967296 addresses");
  expect_scope_refused(R"({"cidr":"2001:db8::/31"})", "confirm_broad", "/32");
  expect_scope_refused(R"({"cidr":"0.0.0.0/0","confirm_broad":false})", "confirm_broad",
                       "confirm_broad");
  const auto confirmed = parse_scope_request(R"({"cidr":"0.0.0.0/0","confirm_broad":true})");
  ASSERT_TRUE(confirmed) << confirmed.error().message;
  EXPECT_EQ(confirmed->range.to_string(), "0.0.0.0/0");
  EXPECT_EQ(parse_scope_request(R"({"cidr":"10.0.0.0/7"})").error().client_code(),
            "confirmation_required");
}

TEST(ScopeBodyTest, RefusalsNameTheField) {
  expect_scope_refused(R"({})", "cidr", "cidr");
  expect_scope_refused(R"({"cidr":""})", "cidr", "empty");
  expect_scope_refused(R"({"cidr":"127.91.0.1/16"})", "cidr", "127.91.0.1/16");
  expect_scope_refused(R"({"cidr":"127.91.0.0/16,127.92.0.0/16"})", "cidr", "not a list");
  expect_scope_refused(R"({"cidr":"127.91.0.0/16 127.92.0.0/16"})", "cidr", "not a list");
  expect_scope_refused(R"({"cidr":"127.91.0.1-9"})", "cidr", "127.91.0.1-9");
  expect_scope_refused(R"({"cidr":"db.example"})", "cidr", "db.example");
  expect_scope_refused(R"({"cidr":"127.91.0.0/33"})", "cidr", "127.91.0.0/33");
  expect_scope_refused(R"({"cidr":17})", "cidr", "cidr");
  expect_scope_refused(R"({"cidr":"127.91.0.0/16","comment":")" + std::string(201, 'c') + R"("})",
                       "comment", "longer");
  expect_scope_refused(R"({"cidr":"127.91.0.0/16","comment":"a\nb"})", "comment", "control");
  expect_scope_refused(R"({"cidr":"127.91.0.0/16","why":"x"})", "why", "why");
}

TEST(ScopeBodyTest, CheckTakesScanTargets) {
  const auto parsed =
      parse_scope_check_request(R"({"targets":["127.91.0.1-9","db.example","10.0.0.0/8"]})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->size(), 3u);
  for (const std::string body :
       {R"({})", R"({"targets":[]})", R"({"targets":[""]})", R"({"targets":"127.91.0.1"})"}) {
    const auto refused = parse_scope_check_request(body);
    ASSERT_FALSE(refused) << body;
    EXPECT_EQ(refused.error().field, "targets") << body << " -> " << refused.error().message;
  }
  const auto extra = parse_scope_check_request(R"({"targets":["127.91.0.1"],"ports":"80"})");
  ASSERT_FALSE(extra);
  EXPECT_EQ(extra.error().field, "ports");
}

}  // namespace
}  // namespace sentinel::scanner
