#include "sentinel/auth/audit_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "src/auth/audit_chain.h"
#include "tests/support/test_database.h"

namespace sentinel::auth {
namespace {

constexpr std::int64_t kStartMs = 1767225600123;  // 2026-01-01T00:00:00.123Z

AuditRecord make_record(std::string action, std::string actor = "alice") {
  return {std::move(actor), std::move(action), "user:7",
          "192.0.2.10",     "success",         R"({"reason":"test"})"};
}

AuditQuery make_query(std::int64_t limit, std::optional<std::int64_t> before = {},
                      std::string action_prefix = {}, std::string actor = {}) {
  AuditQuery query;
  query.limit = limit;
  query.before_seq = before;
  query.action_prefix = std::move(action_prefix);
  query.actor = std::move(actor);
  return query;
}

// Canonical-form checks need no database.
TEST(AuditChain, FieldBoundariesChangeTheHash) {
  AuditEntry a;
  a.seq = 1;
  a.record.actor = "ab";
  a.record.action = "c";
  a.prev_hash = std::string(audit::kGenesisHash);
  AuditEntry b = a;
  b.record.actor = "a";
  b.record.action = "bc";
  EXPECT_NE(audit::entry_hash(a), audit::entry_hash(b));
  b = a;
  b.record.target = "x";
  EXPECT_NE(audit::entry_hash(a), audit::entry_hash(b));
  EXPECT_EQ(audit::entry_hash(a), audit::entry_hash(AuditEntry(a)));
  EXPECT_EQ(audit::entry_hash(a).size(), 64u);
}

TEST(AuditChain, JsonHasIsoTimeAndDetailsObject) {
  AuditEntry entry;
  entry.seq = 3;
  entry.time_ms = kStartMs;
  entry.record = make_record("auth.login");
  const boost::json::object json = audit::to_json(entry);
  EXPECT_EQ(json.at("time").as_string(), "2026-01-01T00:00:00.123Z");
  EXPECT_EQ(json.at("time_ms").as_int64(), kStartMs);
  EXPECT_EQ(json.at("details").as_object().at("reason").as_string(), "test");
}

// Runs on SQLite (temp file) and PostgreSQL (a fresh database on the shared private cluster).
class AuditLogTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto url = test::test_database_url(GetParam(), dir_);
    ASSERT_TRUE(url) << url.error().message;
    url_ = *url;
    auto db = store::open_database(url_);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    const Status migrated = store::migrate(*db_);
    ASSERT_TRUE(migrated) << migrated.error().message;
    bus_ = bus::make_inproc_bus();
    log_ = make_audit_log(*db_, *bus_, clock_);
  }

  void record_many(int count) {
    for (int i = 0; i < count; ++i) {
      clock_.advance_ms(1000);
      const auto entry = log_->record(make_record(i % 2 ? "user.create" : "auth.login"));
      ASSERT_TRUE(entry) << entry.error().message;
    }
  }

  void sql(const std::string& statement) {
    const auto changed = db_->execute(statement);
    ASSERT_TRUE(changed) << changed.error().message;
    ASSERT_EQ(*changed, 1) << statement;
  }

  AuditVerification verify() {
    auto verification = log_->verify();
    EXPECT_TRUE(verification) << verification.error().message;
    return verification ? *verification : AuditVerification{};
  }

  test::TempDir dir_{"sentinel-audit"};
  std::string url_;
  ManualClock clock_{kStartMs};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<bus::Bus> bus_;
  std::unique_ptr<AuditLog> log_;
};

TEST_P(AuditLogTest, ChainOfEntriesVerifiesIntact) {
  const auto first = log_->record(make_record("auth.login"));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->seq, 1);
  EXPECT_EQ(first->prev_hash, audit::kGenesisHash);
  EXPECT_EQ(first->time_ms, kStartMs);
  record_many(4);

  const auto entries = log_->list({});
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 5u);
  for (std::size_t i = 0; i + 1 < entries->size(); ++i) {
    EXPECT_EQ((*entries)[i].seq, (*entries)[i + 1].seq + 1);
    EXPECT_EQ((*entries)[i].prev_hash, (*entries)[i + 1].hash);
  }
  const AuditVerification verification = verify();
  EXPECT_TRUE(verification.intact) << verification.problem;
  EXPECT_EQ(verification.checked, 5);
  EXPECT_FALSE(verification.first_broken_seq);
}

TEST_P(AuditLogTest, EmptyLogVerifiesIntact) {
  const AuditVerification verification = verify();
  EXPECT_TRUE(verification.intact);
  EXPECT_EQ(verification.checked, 0);
}

TEST_P(AuditLogTest, EditedFieldIsReportedAtItsSeq) {
  record_many(5);
  sql("UPDATE audit_log SET outcome = 'failure' WHERE seq = 3");
  const AuditVerification verification = verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 3);
  EXPECT_EQ(verification.problem, "hash mismatch: entry edited");
  EXPECT_EQ(verification.checked, 2);
}

TEST_P(AuditLogTest, EditWithRecomputedHashBreaksTheNextLink) {
  record_many(5);
  auto entries = log_->list({});
  ASSERT_TRUE(entries);
  AuditEntry third = (*entries)[2];
  ASSERT_EQ(third.seq, 3);
  third.record.actor = "mallory";
  sql("UPDATE audit_log SET actor = 'mallory', hash = '" + audit::entry_hash(third) +
      "' WHERE seq = 3");
  const AuditVerification verification = verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 4);
  EXPECT_TRUE(verification.problem.starts_with("broken link")) << verification.problem;
}

TEST_P(AuditLogTest, DeletedMiddleEntryIsReportedAsGap) {
  record_many(6);
  sql("DELETE FROM audit_log WHERE seq = 5");
  const AuditVerification verification = verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 5);
  EXPECT_EQ(verification.problem, "entry missing: gap between 4 and 6");
}

TEST_P(AuditLogTest, DeletedFirstEntryIsReported) {
  record_many(3);
  sql("DELETE FROM audit_log WHERE seq = 1");
  const AuditVerification verification = verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 1);
}

TEST_P(AuditLogTest, DeletedNewestEntryIsReportedAndStaysVisible) {
  record_many(5);
  sql("DELETE FROM audit_log WHERE seq = 5");
  AuditVerification verification = verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 5);
  EXPECT_EQ(verification.problem, "entries after 4 deleted");

  // A later entry does not paper over the deletion: it takes seq 6, leaving the gap.
  const auto next = log_->record(make_record("auth.login"));
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->seq, 6);
  verification = verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 5);
}

TEST_P(AuditLogTest, RewrittenNewestEntryDisagreesWithTheHead) {
  record_many(3);
  auto entries = log_->list({});
  ASSERT_TRUE(entries);
  AuditEntry newest = (*entries)[0];
  newest.record.outcome = "denied";
  sql("UPDATE audit_log SET outcome = 'denied', hash = '" + audit::entry_hash(newest) +
      "' WHERE seq = 3");
  const AuditVerification verification = verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 3);
}

TEST_P(AuditLogTest, VerifyWalksPastOnePage) {
  record_many(1203);
  EXPECT_TRUE(verify().intact);
  sql("UPDATE audit_log SET details = '{}' WHERE seq = 1102");
  const AuditVerification verification = verify();
  EXPECT_EQ(verification.first_broken_seq, 1102);
  EXPECT_EQ(verification.checked, 1101);
}

// Each writer has its own Database (its own connections), as separate server processes would.
TEST_P(AuditLogTest, ConcurrentWritersKeepSeqsContiguous) {
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 25;
  std::vector<std::thread> writers;
  std::atomic<int> failures = 0;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([this, w, &failures] {
      auto db = store::open_database(url_);
      if (!db) {
        ADD_FAILURE() << db.error().message;
        return;
      }
      const auto log = make_audit_log(**db, *bus_, clock_);
      for (int i = 0; i < kPerWriter; ++i) {
        const auto entry = log->record(make_record("auth.login", "writer" + std::to_string(w)));
        if (!entry) {
          ++failures;
          ADD_FAILURE() << entry.error().message;
        }
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  EXPECT_EQ(failures, 0);

  const auto entries = log_->list(make_query(1000));
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), std::size_t{kWriters * kPerWriter});
  for (std::size_t i = 0; i < entries->size(); ++i) {
    EXPECT_EQ((*entries)[i].seq, kWriters * kPerWriter - static_cast<std::int64_t>(i));
  }
  const AuditVerification verification = verify();
  EXPECT_TRUE(verification.intact) << verification.problem;
  EXPECT_EQ(verification.checked, kWriters * kPerWriter);
}

TEST_P(AuditLogTest, ListFiltersNewestFirst) {
  ASSERT_TRUE(log_->record(make_record("auth.login", "alice")));
  ASSERT_TRUE(log_->record(make_record("user.create", "alice")));
  ASSERT_TRUE(log_->record(make_record("auth.logout", "bob")));
  ASSERT_TRUE(log_->record(make_record("auth_login", "bob")));
  ASSERT_TRUE(log_->record(make_record("Auth.login", "bob")));

  const auto seqs = [this](const AuditQuery& query) {
    std::vector<std::int64_t> out;
    const auto entries = log_->list(query);
    EXPECT_TRUE(entries) << entries.error().message;
    if (entries) {
      for (const AuditEntry& entry : *entries) out.push_back(entry.seq);
    }
    return out;
  };
  EXPECT_EQ(seqs({}), (std::vector<std::int64_t>{5, 4, 3, 2, 1}));
  EXPECT_EQ(seqs(make_query(100, {}, "auth.")), (std::vector<std::int64_t>{3, 1}));
  EXPECT_EQ(seqs(make_query(100, {}, "auth%")), std::vector<std::int64_t>{});
  EXPECT_EQ(seqs(make_query(100, {}, "", "bob")), (std::vector<std::int64_t>{5, 4, 3}));
  EXPECT_EQ(seqs(make_query(2, 4)), (std::vector<std::int64_t>{3, 2}));
  EXPECT_EQ(seqs(make_query(10, 4, "auth", "bob")), (std::vector<std::int64_t>{3}));
}

TEST_P(AuditLogTest, RejectsInvalidQueriesAndRecords) {
  for (const AuditQuery& query : {make_query(0), make_query(1001), make_query(100, 0)}) {
    const auto entries = log_->list(query);
    ASSERT_FALSE(entries);
    EXPECT_EQ(entries.error().code, ErrorCode::kInvalidArgument);
  }
  AuditRecord bad_outcome = make_record("auth.login");
  bad_outcome.outcome = "maybe";
  AuditRecord bad_details = make_record("auth.login");
  bad_details.details_json = "[1]";
  for (const AuditRecord& record : {bad_outcome, bad_details}) {
    const auto entry = log_->record(record);
    ASSERT_FALSE(entry);
    EXPECT_EQ(entry.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(verify().checked, 0);
}

TEST_P(AuditLogTest, PublishesEachEntryOnTheBus) {
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<std::string> payloads;
  const auto subscription = bus_->subscribe("audit", [&](const bus::Message& message) {
    std::lock_guard lock(mutex);
    payloads.push_back(message.payload);
    arrived.notify_one();
  });
  const auto entry = log_->record(make_record("user.create"));
  ASSERT_TRUE(entry);

  std::unique_lock lock(mutex);
  ASSERT_TRUE(arrived.wait_for(lock, std::chrono::seconds(5), [&] { return !payloads.empty(); }));
  const boost::json::value message = boost::json::parse(payloads.front());
  EXPECT_EQ(message.at("type").as_string(), "audit");
  const boost::json::value& published = message.at("entry");
  EXPECT_EQ(published.at("seq").as_int64(), entry->seq);
  EXPECT_EQ(published.at("action").as_string(), "user.create");
  EXPECT_EQ(published.at("time").as_string(), "2026-01-01T00:00:00.123Z");
  EXPECT_EQ(published.at("details").at("reason").as_string(), "test");
  EXPECT_FALSE(published.as_object().contains("hash"));
}

TEST_P(AuditLogTest, StoppedBusDoesNotFailTheRecord) {
  bus_->stop();
  const auto entry = log_->record(make_record("auth.login"));
  ASSERT_TRUE(entry) << entry.error().message;
  EXPECT_TRUE(verify().intact);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditLogTest, ::testing::ValuesIn(test::kBackends),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::auth
