// The alerts service on a real migrated database (SQLite and PostgreSQL), a real audit log and
// bus, and a manual clock: dedup per key and window, evidence, lifecycle, assignment, comments,
// list filters, and what it publishes and audits.

#include "sentinel/alerts/alert_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "sentinel/store/user_repository.h"
#include "tests/support/test_database.h"

namespace sentinel::alerts {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kStartMs = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kMinute = 60 * 1000;

detection::Detection ssh_brute_force(std::string entity = "source.ip=203.0.113.9",
                                     std::string agent = "agt_web1") {
  detection::Detection detection;
  detection.rule_id = "ssh-brute-force";
  detection.rule_title = "SSH brute force";
  detection.severity = detection::Severity::kHigh;
  detection.tags = {"attack.t1110", "attack.credential_access"};
  detection.agent_id = std::move(agent);
  detection.entity = std::move(entity);
  detection.dedup_window_ms = 15 * kMinute;
  detection.time_ms = kStartMs;
  detection.summary = "SSH brute force from " + detection.entity;
  return detection;
}

class AlertServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto url = test::test_database_url(GetParam(), dir_);
    ASSERT_TRUE(url) << url.error().message;
    url_ = *url;
    auto db = store::open_database(url_);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    ASSERT_TRUE(store::migrate(*db_));
    bus_ = bus::make_inproc_bus();
    subscription_ = bus_->subscribe("alert", [this](const bus::Message& message) {
      std::lock_guard lock(messages_mutex_);
      messages_.push_back(boost::json::parse(message.payload).as_object());
      messages_changed_.notify_all();
    });
    audit_ = auth::make_audit_log(*db_, *bus_, clock_);
    service_ = AlertService::create(*db_, *audit_, *bus_, clock_);
    analyst_.username = "ana";
    analyst_.user_id = 2;
  }

  void TearDown() override {
    bus_->stop();
    subscription_.reset();
  }

  Alert record(const detection::Detection& detection) {
    auto alert = service_->record(detection);
    EXPECT_TRUE(alert) << alert.error().message;
    return alert ? *alert : Alert{};
  }

  /// Stores `count` events of agent_web1 and returns their ids, oldest first.
  std::vector<std::int64_t> store_events(int count) {
    std::vector<events::NewEvent> batch;
    for (int i = 0; i < count; ++i) {
      batch.push_back({"agt_web1", next_seq_++, kStartMs + i, "log",
                       R"({"event.module":"sshd","source.ip":"203.0.113.9"})"});
    }
    const Status stored = db_->transact([&](store::Connection& tx) -> Status {
      SENTINEL_TRY(events::EventStore::insert(tx, batch, kStartMs));
      return ok();
    });
    EXPECT_TRUE(stored) << stored.error().message;
    auto rows = db_->query("SELECT id FROM events ORDER BY id DESC LIMIT $1",
                           {static_cast<std::int64_t>(count)});
    EXPECT_TRUE(rows);
    std::vector<std::int64_t> ids;
    if (rows) {
      for (const store::Row& row : *rows) ids.insert(ids.begin(), row.integer(0));
    }
    return ids;
  }

  void add_user(const std::string& username) {
    const Status added = db_->transact([&](store::Connection& tx) -> Status {
      store::UserRecord user;
      user.username = username;
      user.password_hash = "$argon2id$unused";
      user.created_at_ms = user.updated_at_ms = kStartMs;
      SENTINEL_TRY(store::UserRepository(tx).insert(user));
      return ok();
    });
    ASSERT_TRUE(added) << added.error().message;
  }

  /// Waits until at least `count` bus messages arrived; returns them.
  std::vector<boost::json::object> messages(std::size_t count) {
    std::unique_lock lock(messages_mutex_);
    messages_changed_.wait_for(lock, 5s, [&] { return messages_.size() >= count; });
    return messages_;
  }

  std::vector<auth::AuditEntry> audit_entries(const std::string& prefix) {
    auth::AuditQuery query;
    query.action_prefix = prefix;
    auto entries = audit_->list(query);
    EXPECT_TRUE(entries) << entries.error().message;
    return entries ? *entries : std::vector<auth::AuditEntry>{};
  }

  Result<Alert> change(std::int64_t id, AlertUpdate update) {
    return service_->update(analyst_, id, update, {"192.0.2.7", "test"});
  }

  Result<Alert> move(std::int64_t id, AlertStatus status) {
    AlertUpdate update;
    update.status = status;
    return change(id, update);
  }

  AlertPage list(AlertFilter filter) {
    auto page = service_->list(filter);
    EXPECT_TRUE(page) << page.error().message;
    return page ? *page : AlertPage{};
  }

  test::TempDir dir_{"sentinel-alerts"};
  std::string url_;
  ManualClock clock_{kStartMs + 5 * kMinute};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<bus::Bus> bus_;
  std::unique_ptr<bus::Subscription> subscription_;
  std::mutex messages_mutex_;
  std::condition_variable messages_changed_;
  std::vector<boost::json::object> messages_;
  std::unique_ptr<auth::AuditLog> audit_;
  std::unique_ptr<AlertService> service_;
  auth::Principal analyst_;
  std::int64_t next_seq_ = 1;
};

TEST_P(AlertServiceTest, MatchesWithinTheWindowJoinOneAlert) {
  const std::vector<std::int64_t> ids = store_events(4);
  detection::Detection first = ssh_brute_force();
  first.event_ids = {ids[0], ids[1]};
  const Alert created = record(first);
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.count, 1);
  EXPECT_EQ(created.status, AlertStatus::kNew);
  EXPECT_EQ(created.severity, detection::Severity::kHigh);
  EXPECT_EQ(created.tags, first.tags);
  EXPECT_EQ(created.summary, "SSH brute force from source.ip=203.0.113.9");
  EXPECT_FALSE(created.assignee);

  detection::Detection second = ssh_brute_force();
  second.time_ms = kStartMs + 14 * kMinute;  // 14 minutes after last_seen: inside 15
  second.event_ids = {ids[1], ids[2]};       // ids[1] again: kept once
  const Alert joined = record(second);
  EXPECT_EQ(joined.id, created.id);
  EXPECT_EQ(joined.count, 2);
  EXPECT_EQ(joined.first_seen_ms, kStartMs);
  EXPECT_EQ(joined.last_seen_ms, kStartMs + 14 * kMinute);

  // The window runs from the latest match, so a slow trickle stays one alert.
  detection::Detection third = ssh_brute_force();
  third.time_ms = kStartMs + 28 * kMinute;
  third.event_ids = {ids[3]};
  EXPECT_EQ(record(third).id, created.id);

  auto detail = service_->get(created.id);
  ASSERT_TRUE(detail) << detail.error().message;
  EXPECT_EQ(detail->alert.count, 3);
  ASSERT_EQ(detail->evidence.size(), 4u);
  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(detail->evidence[i].id, ids[i]);
  EXPECT_EQ(list({}).total, 1);

  const auto published = messages(3);
  ASSERT_EQ(published.size(), 3u);
  EXPECT_EQ(published[0].at("type").as_string(), "alert");
  EXPECT_EQ(published[0].at("action").as_string(), "created");
  EXPECT_EQ(published[1].at("action").as_string(), "updated");
  const auto& alert = published[2].at("alert").as_object();
  EXPECT_EQ(alert.at("id").as_int64(), created.id);
  EXPECT_EQ(alert.at("count").as_int64(), 3);
  EXPECT_EQ(alert.at("severity").as_string(), "high");
  EXPECT_EQ(alert.at("last_seen").as_string(), "2026-01-01T00:28:00.000Z");
  // Matches are the alert's own record, not audit entries.
  EXPECT_TRUE(audit_entries("alert.").empty());
}

TEST_P(AlertServiceTest, AMatchAfterTheWindowOrForAnotherKeyOpensANewAlert) {
  const Alert first = record(ssh_brute_force());
  detection::Detection late = ssh_brute_force();
  late.time_ms = kStartMs + 15 * kMinute + 1;
  const Alert after_window = record(late);
  EXPECT_NE(after_window.id, first.id);
  EXPECT_EQ(after_window.count, 1);

  // The newest alert of a key takes the next match.
  late.time_ms += kMinute;
  EXPECT_EQ(record(late).id, after_window.id);

  detection::Detection other_entity = ssh_brute_force("source.ip=198.51.100.4");
  other_entity.time_ms = late.time_ms;
  detection::Detection other_agent = ssh_brute_force("source.ip=203.0.113.9", "agt_db1");
  other_agent.time_ms = late.time_ms;
  detection::Detection other_rule = ssh_brute_force();
  other_rule.rule_id = "ssh-root-login";
  other_rule.time_ms = late.time_ms;
  std::set<std::int64_t> ids = {first.id, after_window.id};
  for (const auto& detection : {other_entity, other_agent, other_rule}) {
    EXPECT_TRUE(ids.insert(record(detection).id).second) << detection.rule_id;
  }
  EXPECT_EQ(list({}).total, 5);
  auto original = service_->get(first.id);
  ASSERT_TRUE(original);
  EXPECT_EQ(original->alert.count, 1) << "the closed-out window took nothing more";
}

TEST_P(AlertServiceTest, AClosedAlertTakesNoMatchesAndCanBeReopened) {
  const Alert first = record(ssh_brute_force());
  ASSERT_TRUE(move(first.id, AlertStatus::kResolved));
  detection::Detection again = ssh_brute_force();
  again.time_ms = kStartMs + kMinute;
  const Alert second = record(again);
  EXPECT_NE(second.id, first.id) << "a resolved alert does not absorb a new match";

  // Acknowledged is still open.
  ASSERT_TRUE(move(second.id, AlertStatus::kAcknowledged));
  again.time_ms += kMinute;
  EXPECT_EQ(record(again).id, second.id);

  auto reopened = move(first.id, AlertStatus::kNew);
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ(reopened->status, AlertStatus::kNew);
}

TEST_P(AlertServiceTest, EvidenceKeepsTheFirstHundredEvents) {
  const std::vector<std::int64_t> ids = store_events(130);
  detection::Detection first = ssh_brute_force();
  first.event_ids.assign(ids.begin(), ids.begin() + 80);
  first.event_ids.push_back(0);  // an event that was never stored: ignored
  const Alert alert = record(first);
  detection::Detection second = ssh_brute_force();
  second.event_ids.assign(ids.begin() + 80, ids.end());
  record(second);

  auto detail = service_->get(alert.id);
  ASSERT_TRUE(detail) << detail.error().message;
  ASSERT_EQ(detail->evidence.size(), kMaxEvidence);
  EXPECT_EQ(detail->evidence.front().id, ids.front());
  EXPECT_EQ(detail->evidence.back().id, ids[kMaxEvidence - 1]);
  EXPECT_EQ(detail->evidence.front().type, "log");
  EXPECT_EQ(detail->alert.count, 2);
}

TEST_P(AlertServiceTest, LifecycleAllowsTheDocumentedMovesOnly) {
  const std::int64_t id = record(ssh_brute_force()).id;
  auto acknowledged = move(id, AlertStatus::kAcknowledged);
  ASSERT_TRUE(acknowledged) << acknowledged.error().message;
  EXPECT_EQ(acknowledged->status, AlertStatus::kAcknowledged);

  auto back = move(id, AlertStatus::kNew);
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().code, ErrorCode::kConflict);
  EXPECT_EQ(back.error().field, "status");
  EXPECT_NE(back.error().message.find("acknowledged"), std::string::npos) << back.error().message;

  ASSERT_TRUE(move(id, AlertStatus::kResolved));
  ASSERT_TRUE(move(id, AlertStatus::kFalsePositive)) << "reclassified";
  ASSERT_FALSE(move(id, AlertStatus::kAcknowledged)) << "a closed alert reopens to new only";
  auto reopened = move(id, AlertStatus::kNew);
  ASSERT_TRUE(reopened);
  auto closed = move(id, AlertStatus::kFalsePositive);
  ASSERT_TRUE(closed) << "new may be closed directly";

  // Staying put changes nothing and is not audited.
  const std::size_t audited = audit_entries("alert.update").size();
  ASSERT_TRUE(move(id, AlertStatus::kFalsePositive));
  EXPECT_EQ(audit_entries("alert.update").size(), audited);
  EXPECT_EQ(audited, 5u);

  const auto entries = audit_entries("alert.update");
  const auto details = boost::json::parse(entries.front().record.details_json);
  EXPECT_EQ(entries.front().record.actor, "ana");
  EXPECT_EQ(entries.front().record.target, "alert:" + std::to_string(id));
  EXPECT_EQ(entries.front().record.source_address, "192.0.2.7");
  EXPECT_EQ(details.at("status").at("old").as_string(), "new");
  EXPECT_EQ(details.at("status").at("new").as_string(), "false_positive");

  auto missing = move(id + 1000, AlertStatus::kResolved);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(AlertServiceTest, AssigneeMustBeAnExistingUser) {
  add_user("bob");
  const std::int64_t id = record(ssh_brute_force()).id;
  AlertUpdate update;
  update.assignee = std::optional<std::string>("mallory");
  auto unknown = change(id, update);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(unknown.error().field, "assignee");

  update.assignee = std::optional<std::string>("bob");
  update.status = AlertStatus::kAcknowledged;
  auto assigned = change(id, update);
  ASSERT_TRUE(assigned) << assigned.error().message;
  EXPECT_EQ(assigned->assignee, std::optional<std::string>("bob"));
  EXPECT_EQ(assigned->status, AlertStatus::kAcknowledged);

  AlertUpdate unassign;
  unassign.assignee = std::optional<std::string>();
  auto cleared = change(id, unassign);
  ASSERT_TRUE(cleared) << cleared.error().message;
  EXPECT_FALSE(cleared->assignee);

  const auto entries = audit_entries("alert.update");
  ASSERT_EQ(entries.size(), 2u);
  const auto latest = boost::json::parse(entries[0].record.details_json);
  EXPECT_EQ(latest.at("assignee").at("old").as_string(), "bob");
  EXPECT_TRUE(latest.at("assignee").at("new").is_null());
  EXPECT_FALSE(latest.as_object().contains("status"));

  auto nothing = change(id, {});
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(AlertServiceTest, CommentsAreCheckedCountedAndAudited) {
  const std::int64_t id = record(ssh_brute_force()).id;
  const auth::ClientInfo client{"192.0.2.7", "test"};
  for (const std::string& bad : {std::string(), std::string(" \n\t"), std::string(4001, 'x')}) {
    auto refused = service_->comment(analyst_, id, bad, client);
    ASSERT_FALSE(refused) << bad.size();
    EXPECT_EQ(refused.error().field, "text");
  }
  // The limit counts characters: 4000 two-byte characters fit.
  std::string accents;
  for (int i = 0; i < 4000; ++i) accents += "\xc3\xa9";
  clock_.advance_ms(1000);
  auto first = service_->comment(analyst_, id, "Blocked at the edge firewall.", client);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->author, "ana");
  EXPECT_EQ(first->created_at_ms, clock_.now_ms());
  auto second = service_->comment(analyst_, id, accents, client);
  ASSERT_TRUE(second) << second.error().message;

  auto detail = service_->get(id);
  ASSERT_TRUE(detail);
  EXPECT_EQ(detail->alert.comment_count, 2);
  ASSERT_EQ(detail->comments.size(), 2u);
  EXPECT_EQ(detail->comments[0].text, "Blocked at the edge firewall.");
  EXPECT_EQ(detail->comments[1].text, accents);
  EXPECT_EQ(audit_entries("alert.comment").size(), 2u);
  EXPECT_EQ(messages(3).back().at("alert").at("comment_count").as_int64(), 2);

  auto missing = service_->comment(analyst_, id + 1000, "hello", client);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(AlertServiceTest, ListFiltersAndOrdersByLastSeen) {
  ASSERT_TRUE(db_->execute("INSERT INTO agents (id, hostname, enrolled_at) VALUES ($1, $2, $3)",
                           {std::string("agt_web1"), std::string("web-1"), kStartMs}));
  detection::Detection low = ssh_brute_force("user.name=root");
  low.rule_id = "sudo-to-root";
  low.rule_title = "Sudo to root";
  low.summary = "Sudo to root by 100%_user";
  low.severity = detection::Severity::kLow;
  low.time_ms = kStartMs + 3 * kMinute;
  detection::Detection critical = ssh_brute_force("file.path=/etc/shadow", "agt_db1");
  critical.rule_id = "shadow-write";
  critical.rule_title = "Shadow file written";
  critical.summary = "Shadow file written";
  critical.severity = detection::Severity::kCritical;
  critical.time_ms = kStartMs + 2 * kMinute;
  const Alert high = record(ssh_brute_force());  // kStartMs
  const Alert sudo = record(low);
  const Alert shadow = record(critical);
  ASSERT_TRUE(move(shadow.id, AlertStatus::kAcknowledged));

  const auto ids = [](const AlertPage& page) {
    std::vector<std::int64_t> out;
    for (const Alert& alert : page.items) out.push_back(alert.id);
    return out;
  };
  using Ids = std::vector<std::int64_t>;
  EXPECT_EQ(ids(list({})), (Ids{sudo.id, shadow.id, high.id}));
  EXPECT_EQ(list({}).items[0].hostname, std::optional<std::string>("web-1"));
  EXPECT_EQ(list({}).items[1].hostname, std::nullopt) << "agt_db1 is not registered";

  AlertFilter filter;
  filter.statuses = {AlertStatus::kAcknowledged, AlertStatus::kResolved};
  EXPECT_EQ(ids(list(filter)), (Ids{shadow.id}));
  filter = {};
  filter.min_severity = detection::Severity::kHigh;
  EXPECT_EQ(ids(list(filter)), (Ids{shadow.id, high.id}));
  filter = {};
  filter.rule_id = "sudo-to-root";
  EXPECT_EQ(ids(list(filter)), (Ids{sudo.id}));
  filter = {};
  filter.agent_id = "agt_db1";
  EXPECT_EQ(ids(list(filter)), (Ids{shadow.id}));
  filter = {};
  filter.since_ms = kStartMs + 2 * kMinute;
  EXPECT_EQ(ids(list(filter)), (Ids{sudo.id, shadow.id}));
  filter = {};
  filter.text = "SHADOW";  // any case, in the title
  EXPECT_EQ(ids(list(filter)), (Ids{shadow.id}));
  filter.text = "203.0.113";  // in the entity
  EXPECT_EQ(ids(list(filter)), (Ids{high.id}));
  filter.text = "100%_";  // LIKE wildcards are literal
  EXPECT_EQ(ids(list(filter)), (Ids{sudo.id}));
  filter.text = "0%u";
  EXPECT_TRUE(ids(list(filter)).empty());
  filter = {};
  filter.limit = 1;
  filter.offset = 1;
  const AlertPage page = list(filter);
  EXPECT_EQ(ids(page), (Ids{shadow.id}));
  EXPECT_EQ(page.total, 3);

  filter.limit = 0;
  EXPECT_FALSE(service_->list(filter));
  filter.limit = 1;
  filter.offset = -1;
  EXPECT_FALSE(service_->list(filter));
}

TEST_P(AlertServiceTest, DetectionsAreCheckedAndStampedWhenTimeless) {
  detection::Detection detection = ssh_brute_force();
  detection.rule_id.clear();
  auto refused = service_->record(detection);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "rule_id");
  detection = ssh_brute_force();
  detection.dedup_window_ms = -1;
  EXPECT_FALSE(service_->record(detection));

  detection = ssh_brute_force();
  detection.time_ms = 0;
  detection.summary.clear();
  const Alert alert = record(detection);
  EXPECT_EQ(alert.first_seen_ms, clock_.now_ms());
  EXPECT_EQ(alert.summary, "SSH brute force: source.ip=203.0.113.9");
}

// Two handles on one database, as two server processes have: a burst of matches of one key from
// both still makes one alert counting every match.
TEST_P(AlertServiceTest, ConcurrentRecordersOfOneKeyMakeOneAlert) {
  auto other_db = store::open_database(url_);
  ASSERT_TRUE(other_db) << other_db.error().message;
  auto other_bus = bus::make_inproc_bus();
  auto other_audit = auth::make_audit_log(**other_db, *other_bus, clock_);
  auto other = AlertService::create(**other_db, *other_audit, *other_bus, clock_);
  constexpr int kPerThread = 15;
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (AlertService* service : {service_.get(), other.get(), service_.get(), other.get()}) {
    threads.emplace_back([service, &failures] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!service->record(ssh_brute_force())) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  other_bus->stop();
  EXPECT_EQ(failures.load(), 0);
  const AlertPage page = list({});
  ASSERT_EQ(page.total, 1);
  EXPECT_EQ(page.items[0].count, 4 * kPerThread);
}

TEST(AlertNames, StatusesAndSeveritiesRoundTrip) {
  for (const AlertStatus status : {AlertStatus::kNew, AlertStatus::kAcknowledged,
                                   AlertStatus::kResolved, AlertStatus::kFalsePositive}) {
    EXPECT_EQ(parse_alert_status(to_string(status)), status);
  }
  EXPECT_EQ(to_string(AlertStatus::kFalsePositive), "false_positive");
  EXPECT_FALSE(parse_alert_status("New"));
  EXPECT_FALSE(parse_alert_status("open"));
  EXPECT_EQ(detection::parse_severity("critical"), detection::Severity::kCritical);
  EXPECT_EQ(detection::to_string(detection::Severity::kInformational), "informational");
  EXPECT_FALSE(detection::parse_severity("severe"));
}

INSTANTIATE_TEST_SUITE_P(Backends, AlertServiceTest, ::testing::ValuesIn(test::kBackends),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::alerts
