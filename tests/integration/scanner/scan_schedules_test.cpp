// Scan schedules through the API on a real server (SQLite and PostgreSQL) that may scan
// 127.68.0.0/16 and whose schedules may recur every second (scanner.schedule_min_interval_s=1,
// the test knob; the default floor is 300 s): run-now starts the schedule's scan at once, the
// scheduler starts due ones by itself, targets outside every scope are refused when the
// schedule is made, a run after its scope was removed fails with the reason recorded on the
// schedule, and due runs stop once the schedule's creator loses scans:write, is deleted (a new
// user of the same name does not inherit the schedule) or must set up two-factor authentication
// first (they resume once the creator has); a minimum interval raised in the configuration holds
// for schedules stored before. Listeners on 127.68.91.x and 127.91.x.x only.

#include <gtest/gtest.h>

#include <ctime>
#include <fstream>

#include "sentinel/auth/totp.h"
#include "tests/integration/scanner/scanner_support.h"

namespace sentinel::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

class ScanSchedulesTest : public ScannerApiTest {
 protected:
  void SetUp() override {
    std::vector<std::string> args = kScanArgs;
    args.insert(args.end(), {"--set", "scanner.schedule_min_interval_s=1"});
    start_server(args);
  }

  json::object schedule_body(const std::string& name, const std::string& target, std::uint16_t port,
                             std::int64_t interval_s) {
    return {
        {"name", name},
        {"scan", json::object{{"targets", json::array{target}}, {"ports", std::to_string(port)}}},
        {"interval_s", interval_s}};
  }

  json::value create(client::ApiClient& api, const json::object& body) {
    auto reply = api.post("/api/v1/scan-schedules", body);
    EXPECT_TRUE(reply);
    EXPECT_EQ(reply->status, 201) << reply->body;
    return reply ? body_of(*reply) : json::value(json::object{});
  }

  json::value schedule(client::ApiClient& api, std::int64_t id) {
    auto reply = api.get("/api/v1/scan-schedules/" + std::to_string(id));
    EXPECT_TRUE(reply && reply->status == 200) << (reply ? reply->body : "");
    return reply ? body_of(*reply) : json::value(json::object{});
  }

  // The role scan-crew (scans:read, scans:write) and a logged-in member of it; returns the id.
  std::int64_t crew_member(client::ApiClient& root, client::ApiClient& member,
                           const std::string& username, const std::string& password) {
    auto role = root.post("/api/v1/roles",
                          json::object{{"name", "scan-crew"},
                                       {"permissions", json::array{"scans:read", "scans:write"}}});
    EXPECT_TRUE(role && (role->status == 201 || role->status == 409))
        << (role ? role->body : role.error().message);
    const std::int64_t id = create_user(root, username, password, "scan-crew");
    EXPECT_EQ(login(member, username, password).status, 200);
    return id;
  }

  // The schedule once `done` holds for it, within 30 s; the last state read otherwise.
  template <typename Done>
  json::value wait_for(client::ApiClient& api, std::int64_t id, Done done) {
    json::value current;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      current = schedule(api, id);
      if (done(current)) break;
      std::this_thread::sleep_for(200ms);
    }
    return current;
  }

  static bool has_job(const json::value& schedule) { return schedule.at("last_job_id").is_int64(); }

  // "2026-11-27T22:33:00.000Z" as Unix seconds.
  static std::int64_t unix_seconds(const json::value& iso8601) {
    std::tm parts{};
    EXPECT_EQ(
        std::sscanf(std::string(iso8601.as_string()).c_str(), "%d-%d-%dT%d:%d:%d", &parts.tm_year,
                    &parts.tm_mon, &parts.tm_mday, &parts.tm_hour, &parts.tm_min, &parts.tm_sec),
        6)
        << iso8601;
    parts.tm_year -= 1900;
    parts.tm_mon -= 1;
    return static_cast<std::int64_t>(timegm(&parts));
  }

  static std::string last_error(const json::value& schedule) {
    const json::value& error = schedule.at("last_error");
    return error.is_string() ? std::string(error.as_string()) : std::string();
  }
};

TEST_P(ScanSchedulesTest, RunNowStartsTheSchedulesScan) {
  TcpListener web = TcpListener::open("127.68.91.1");
  client::ApiClient root = admin();
  const json::value made = create(root, schedule_body("web", "127.68.91.1", web.port(), 300));
  const std::int64_t id = made.at("id").as_int64();
  EXPECT_EQ(made.at("interval_s").as_int64(), 300);
  EXPECT_EQ(made.at("effective_interval_s").as_int64(), 300);
  EXPECT_EQ(made.at("created_by").as_string(), "admin");
  EXPECT_TRUE(made.at("last_job_id").is_null());
  EXPECT_TRUE(made.at("next_run_at").is_string()) << made;

  auto ran = root.post("/api/v1/scan-schedules/" + std::to_string(id) + "/run-now");
  ASSERT_TRUE(ran);
  ASSERT_EQ(ran->status, 202) << ran->body;
  const json::value job = body_of(*ran);
  const std::int64_t job_id = job.at("id").as_int64();
  EXPECT_EQ(job.at("targets"), json::array{"127.68.91.1"});
  EXPECT_EQ(job.at("ports").as_string(), std::to_string(web.port()));
  wait_completed(root, job_id);
  EXPECT_EQ(open_pairs(results(root, job_id)), std::set<std::string>{pair(web)});

  const json::value after = schedule(root, id);
  EXPECT_EQ(after.at("last_job_id").as_int64(), job_id) << after;
  EXPECT_TRUE(after.at("last_error").is_null()) << after;
  // Run-now leaves the schedule's own next run where it was.
  EXPECT_EQ(after.at("next_run_at"), made.at("next_run_at"));

  auto audit = root.get("/api/v1/audit?action=scan_schedule.");
  ASSERT_TRUE(audit && audit->status == 200);
  EXPECT_NE(audit->body.find("scan_schedule.create"), std::string::npos) << audit->body;
  EXPECT_NE(audit->body.find("scan_schedule.run"), std::string::npos) << audit->body;
}

TEST_P(ScanSchedulesTest, TheSchedulerStartsDueSchedulesByItself) {
  TcpListener web = TcpListener::open("127.68.91.2");
  client::ApiClient root = admin();
  const std::int64_t id =
      create(root, schedule_body("tick", "127.68.91.2", web.port(), 2)).at("id").as_int64();

  // Due two seconds after it was made; the scheduler looks every second.
  std::set<std::int64_t> jobs;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (jobs.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    const json::value current = schedule(root, id);
    if (current.at("last_job_id").is_int64()) jobs.insert(current.at("last_job_id").as_int64());
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_GE(jobs.size(), 2u) << "the scheduler did not start the schedule twice within 30 s";
  const std::int64_t first = *jobs.begin();
  const json::value done = wait_completed(root, first);
  EXPECT_EQ(done.at("targets"), json::array{"127.68.91.2"});
  EXPECT_EQ(done.at("requested_by").as_string(), "schedule:tick");
  EXPECT_EQ(open_pairs(results(root, first)), std::set<std::string>{pair(web)});

  // Disabled, it starts nothing more.
  json::object body = schedule_body("tick", "127.68.91.2", web.port(), 2);
  body["enabled"] = false;
  auto replaced = root.put("/api/v1/scan-schedules/" + std::to_string(id), body);
  ASSERT_TRUE(replaced);
  ASSERT_EQ(replaced->status, 200) << replaced->body;
  std::this_thread::sleep_for(1500ms);  // a run claimed just before the PUT may still start
  const json::value settled = schedule(root, id);
  std::this_thread::sleep_for(4s);
  EXPECT_EQ(schedule(root, id).at("last_job_id"), settled.at("last_job_id"));
  EXPECT_TRUE(settled.at("next_run_at").is_null()) << settled;
}

TEST_P(ScanSchedulesTest, TargetsOutsideEveryScopeAreRefusedNamed) {
  client::ApiClient root = admin();
  json::object body = schedule_body("wide", "127.68.91.3", 80, 300);
  body["scan"].as_object()["targets"] = json::array{"127.68.91.3", "127.92.0.1"};
  auto reply = root.post("/api/v1/scan-schedules", body);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 400) << reply->body;
  auto error = reply->api_error();
  ASSERT_TRUE(error) << reply->body;
  EXPECT_EQ(error->code, "target_out_of_scope");
  EXPECT_EQ(error->field, "scan.targets");
  EXPECT_NE(error->message.find("127.92.0.1"), std::string::npos) << error->message;
  EXPECT_EQ(error->message.find("'127.68.91.3'"), std::string::npos) << error->message;

  auto listed = root.get("/api/v1/scan-schedules");
  ASSERT_TRUE(listed && listed->status == 200);
  EXPECT_TRUE(body_of(*listed).at("items").as_array().empty());
}

TEST_P(ScanSchedulesTest, ARunAfterItsScopeWasRemovedFailsAndSaysWhy) {
  client::ApiClient root = admin();
  auto added = root.post("/api/v1/scan-scopes", json::object{{"cidr", "127.91.1.0/24"}});
  ASSERT_TRUE(added && added->status == 201) << (added ? added->body : "");
  const std::int64_t scope_id = body_of(*added).at("id").as_int64();
  const std::int64_t id =
      create(root, schedule_body("lab", "127.91.1.1", 80, 300)).at("id").as_int64();

  auto removed = root.del("/api/v1/scan-scopes/" + std::to_string(scope_id));
  ASSERT_TRUE(removed && removed->status == 204);
  auto ran = root.post("/api/v1/scan-schedules/" + std::to_string(id) + "/run-now");
  ASSERT_TRUE(ran);
  EXPECT_EQ(ran->status, 400) << ran->body;
  EXPECT_EQ(error_code(*ran), "target_out_of_scope");

  const json::value after = schedule(root, id);
  ASSERT_TRUE(after.at("last_error").is_string()) << after;
  const std::string why(after.at("last_error").as_string());
  EXPECT_NE(why.find("outside the scan scopes"), std::string::npos) << why;
  EXPECT_NE(why.find("127.91.1.1"), std::string::npos) << why;
  EXPECT_TRUE(after.at("last_job_id").is_null()) << after;
}

TEST_P(ScanSchedulesTest, BodiesAreStrictAndNameTheField) {
  client::ApiClient root = admin();
  const json::object scan{{"targets", json::array{"127.68.91.4"}}, {"ports", "80"}};
  const std::vector<std::pair<json::object, std::string>> bad = {
      {{{"scan", scan}, {"interval_s", 300}}, "name"},
      {{{"name", "a"}, {"scan", scan}}, "interval_s"},
      {{{"name", "a"}, {"scan", scan}, {"interval_s", 0}}, "interval_s"},
      {{{"name", "a"}, {"scan", scan}, {"daily_at", "25:00"}}, "daily_at"},
      {{{"name", "a"}, {"scan", json::object{{"targets", json::array{}}}}, {"interval_s", 300}},
       "scan.targets"},
      {{{"name", "a"}, {"scan", scan}, {"interval_s", 300}, {"cron", "* * * * *"}}, "cron"},
  };
  for (const auto& [body, field] : bad) {
    auto reply = root.post("/api/v1/scan-schedules", body);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 400) << json::serialize(body) << " -> " << reply->body;
    auto error = reply->api_error();
    ASSERT_TRUE(error) << reply->body;
    EXPECT_EQ(error->field, field) << reply->body;
  }

  const json::value made = create(root, {{"name", "daily"}, {"scan", scan}, {"daily_at", "02:30"}});
  EXPECT_EQ(made.at("daily_at").as_string(), "02:30");
  EXPECT_TRUE(made.at("interval_s").is_null());
  EXPECT_TRUE(made.at("effective_interval_s").is_null());
  EXPECT_NE(std::string(made.at("next_run_at").as_string()).find("T02:30:00"), std::string::npos)
      << made;
  auto duplicate = root.post("/api/v1/scan-schedules",
                             json::object{{"name", "daily"}, {"scan", scan}, {"interval_s", 300}});
  ASSERT_TRUE(duplicate);
  EXPECT_EQ(duplicate->status, 409) << duplicate->body;

  const std::string path = "/api/v1/scan-schedules/" + std::to_string(made.at("id").as_int64());
  auto deleted = root.del(path);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 204);
  auto gone = root.get(path);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404);
}

TEST_P(ScanSchedulesTest, DueRunsStopWhenTheCreatorLosesScansWrite) {
  TcpListener web = TcpListener::open("127.68.91.5");
  client::ApiClient root = admin();
  auto role = root.post("/api/v1/roles",
                        json::object{{"name", "scan-crew"},
                                     {"permissions", json::array{"scans:read", "scans:write"}}});
  ASSERT_TRUE(role && role->status == 201) << (role ? role->body : role.error().message);
  create_user(root, "carol", "Scheduled-Scanner-Phrase-77", "scan-crew");
  client::ApiClient carol = anonymous();
  ASSERT_EQ(login(carol, "carol", "Scheduled-Scanner-Phrase-77").status, 200);
  const std::int64_t id =
      create(carol, schedule_body("crew", "127.68.91.5", web.port(), 1)).at("id").as_int64();

  // While carol may scan, her schedule runs.
  json::value current;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    current = schedule(root, id);
    if (current.at("last_job_id").is_int64()) break;
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_TRUE(current.at("last_job_id").is_int64()) << current;

  auto narrowed = root.patch("/api/v1/roles/scan-crew",
                             json::object{{"permissions", json::array{"scans:read"}}});
  ASSERT_TRUE(narrowed && narrowed->status == 200) << (narrowed ? narrowed->body : "");
  const std::string why = "its creator 'carol' may no longer start scans (no scans:write)";
  deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    current = schedule(root, id);
    if (current.at("last_error").is_string() &&
        std::string(current.at("last_error").as_string()).find(why) != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_TRUE(current.at("last_error").is_string()) << current;
  const std::string last_error(current.at("last_error").as_string());
  EXPECT_EQ(last_error.rfind("the run due at ", 0), 0u) << last_error;
  EXPECT_NE(last_error.find(why), std::string::npos) << last_error;

  // Runs keep coming due every second and none starts.
  std::this_thread::sleep_for(3s);
  const json::value later = schedule(root, id);
  EXPECT_EQ(later.at("last_job_id"), current.at("last_job_id")) << later;
  EXPECT_NE(std::string(later.at("last_error").as_string()).find(why), std::string::npos) << later;
  EXPECT_NE(later.at("next_run_at"), current.at("next_run_at")) << later;
}

TEST_P(ScanSchedulesTest, ANewUserNamedLikeADeletedCreatorDoesNotGetTheirSchedule) {
  TcpListener web = TcpListener::open("127.68.91.6");
  client::ApiClient root = admin();
  client::ApiClient bob = anonymous();
  const std::int64_t bob_id = crew_member(root, bob, "bob", "Scheduled-Scanner-Phrase-78");
  const std::int64_t id =
      create(bob, schedule_body("bobs", "127.68.91.6", web.port(), 1)).at("id").as_int64();
  json::value current = wait_for(root, id, has_job);
  ASSERT_TRUE(has_job(current)) << current;

  auto deleted = root.del("/api/v1/users/" + std::to_string(bob_id));
  ASSERT_TRUE(deleted && deleted->status == 204) << (deleted ? deleted->body : "");
  // Another bob, who may scan as the old one could.
  const std::int64_t new_bob_id =
      create_user(root, "bob", "Another-Scanner-Phrase-79", "scan-crew");
  ASSERT_NE(new_bob_id, bob_id);
  client::ApiClient new_bob = anonymous();
  ASSERT_EQ(login(new_bob, "bob", "Another-Scanner-Phrase-79").status, 200);

  const std::string why = "its creator 'bob' has been deleted";
  current = wait_for(
      root, id, [&](const json::value& s) { return last_error(s).find(why) != std::string::npos; });
  ASSERT_NE(last_error(current).find(why), std::string::npos) << current;
  // Runs keep coming due every second and none starts for the new bob.
  std::this_thread::sleep_for(3s);
  const json::value later = schedule(root, id);
  EXPECT_EQ(later.at("last_job_id"), current.at("last_job_id")) << later;
  EXPECT_NE(last_error(later).find(why), std::string::npos) << later;
  EXPECT_NE(later.at("next_run_at"), current.at("next_run_at")) << later;
  EXPECT_EQ(later.at("created_by").as_string(), "bob");
}

TEST_P(ScanSchedulesTest, DueRunsWaitUntilTheCreatorSetsUpARequiredSecondFactor) {
  TcpListener web = TcpListener::open("127.68.91.7");
  client::ApiClient root = admin();
  client::ApiClient dana = anonymous();
  const std::string password = "Scheduled-Scanner-Phrase-80";
  crew_member(root, dana, "dana", password);
  const std::int64_t id =
      create(dana, schedule_body("danas", "127.68.91.7", web.port(), 1)).at("id").as_int64();
  json::value current = wait_for(root, id, has_job);
  ASSERT_TRUE(has_job(current)) << current;

  auto policy = root.patch("/api/v1/settings/auth",
                           json::object{{"require_2fa_roles", json::array{"scan-crew"}}});
  ASSERT_TRUE(policy && policy->status == 200) << (policy ? policy->body : "");
  const std::string why =
      "its creator 'dana' may not start scans until they set up two-factor authentication";
  current = wait_for(
      root, id, [&](const json::value& s) { return last_error(s).find(why) != std::string::npos; });
  ASSERT_NE(last_error(current).find(why), std::string::npos) << current;
  std::this_thread::sleep_for(3s);
  const json::value waiting = schedule(root, id);
  EXPECT_EQ(waiting.at("last_job_id"), current.at("last_job_id")) << waiting;
  EXPECT_NE(last_error(waiting).find(why), std::string::npos) << waiting;

  // dana logs in (an enrolment session) and sets up TOTP: her schedule runs again.
  client::ApiClient enrolling = anonymous();
  const client::HttpReply confined = login(enrolling, "dana", password);
  ASSERT_EQ(confined.status, 200) << confined.body;
  ASSERT_TRUE(body_of(confined).at("totp_enrollment_required").as_bool());
  auto setup = enrolling.post("/api/v1/auth/totp/setup");
  ASSERT_TRUE(setup && setup->status == 200) << (setup ? setup->body : "");
  auto secret = auth::totp::base32_decode(body_of(*setup).at("secret").as_string());
  ASSERT_TRUE(secret);
  auto confirmed = enrolling.post(
      "/api/v1/auth/totp/confirm",
      json::object{
          {"code", auth::totp::code_at(*secret, static_cast<std::int64_t>(std::time(nullptr)))}});
  ASSERT_TRUE(confirmed && confirmed->status == 200) << (confirmed ? confirmed->body : "");
  const json::value resumed = wait_for(root, id, [&](const json::value& s) {
    return s.at("last_job_id") != waiting.at("last_job_id");
  });
  EXPECT_NE(resumed.at("last_job_id"), waiting.at("last_job_id")) << resumed;
  EXPECT_EQ(last_error(resumed).find(why), std::string::npos) << resumed;
}

TEST_P(ScanSchedulesTest, AMinimumIntervalRaisedInTheConfigurationHoldsForStoredSchedules) {
  // This server reads the minimum from a file, so that a restart can raise it.
  ASSERT_TRUE(server_->stop());
  TempDir config_dir("sentinel-schedule-config");
  const std::string config = (config_dir.path() / "server.yaml").string();
  auto write_minimum = [&](int seconds) {
    std::ofstream(config) << "scanner:\n  schedule_min_interval_s: " << seconds << "\n";
  };
  write_minimum(1);
  std::vector<std::string> args = kScanArgs;
  args.insert(args.end(), {"--config", config});
  start_server(args);

  TcpListener web = TcpListener::open("127.68.91.8");
  client::ApiClient root = admin();
  const json::value made = create(root, schedule_body("often", "127.68.91.8", web.port(), 2));
  const std::int64_t id = made.at("id").as_int64();
  EXPECT_EQ(made.at("effective_interval_s").as_int64(), 2);
  const json::value ran = wait_for(root, id, has_job);
  ASSERT_TRUE(has_job(ran)) << ran;

  // The admin raises the minimum to an hour.
  ASSERT_TRUE(server_->stop());
  write_minimum(3600);
  ASSERT_TRUE(server_->restart());
  root = admin();
  const json::value stored = schedule(root, id);
  EXPECT_EQ(stored.at("interval_s").as_int64(), 2);
  EXPECT_EQ(stored.at("effective_interval_s").as_int64(), 3600) << stored;

  // The run due under the old interval starts; the next is an hour after it was due.
  const json::value after = wait_for(
      root, id, [&](const json::value& s) { return s.at("last_job_id") != ran.at("last_job_id"); });
  ASSERT_NE(after.at("last_job_id"), ran.at("last_job_id")) << after;
  const std::int64_t gap_s =
      unix_seconds(after.at("next_run_at")) - unix_seconds(after.at("last_run_at"));
  EXPECT_GT(gap_s, 3000) << after;
  EXPECT_LE(gap_s, 3600) << after;
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(schedule(root, id).at("last_job_id"), after.at("last_job_id"));
}

SENTINEL_BOTH_BACKENDS(ScanSchedulesTest);

}  // namespace
}  // namespace sentinel::test
