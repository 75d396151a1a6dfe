#include "sentinel/events/event_store.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/support/test_database.h"

namespace sentinel::events {
namespace {

class EventStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto db = test::open_test_database(GetParam(), dir_);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
  }

  std::vector<bool> insert(const std::vector<NewEvent>& events) {
    std::vector<bool> inserted;
    Status status = db_->transact([&](store::Connection& tx) -> Status {
      SENTINEL_ASSIGN(ids, EventStore::insert(tx, events, 1000));
      for (const std::int64_t id : ids) inserted.push_back(id != 0);
      return ok();
    });
    EXPECT_TRUE(status) << status.error().message;
    return inserted;
  }

  static NewEvent agent_event(std::string agent, std::int64_t seq, std::string data = "{}") {
    return NewEvent{std::move(agent), seq, 100 + seq, "test.event", std::move(data)};
  }

  test::TempDir dir_;
  std::unique_ptr<store::Database> db_;
};

TEST_P(EventStoreTest, ResentEventsAreStoredOnce) {
  std::vector<NewEvent> first;
  for (int seq = 1; seq <= 150; ++seq) first.push_back(agent_event("agt_a", seq));
  const auto inserted = insert(first);
  EXPECT_EQ(std::count(inserted.begin(), inserted.end(), true), 150);

  // A resend overlapping the stored range, plus new ones and another agent's same seqs.
  std::vector<NewEvent> again;
  for (int seq = 100; seq <= 200; ++seq) again.push_back(agent_event("agt_a", seq));
  for (int seq = 1; seq <= 10; ++seq) again.push_back(agent_event("agt_b", seq));
  const auto second = insert(again);
  for (int i = 0; i <= 50; ++i) EXPECT_FALSE(second[i]) << "seq " << 100 + i;
  for (std::size_t i = 51; i < second.size(); ++i) EXPECT_TRUE(second[i]) << i;

  EventStore store(*db_);
  auto a = store.search(EventQuery{.agent_id = "agt_a", .limit = 1});
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->total, 200);
  ASSERT_EQ(a->items.size(), 1u);
  EXPECT_EQ(a->items[0].seq, 200);  // newest first
  auto all = store.search(EventQuery{});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->total, 210);
}

TEST_P(EventStoreTest, ServerEventsWithoutSeqNeverConflict) {
  const auto inserted = insert({NewEvent{"agt_a", std::nullopt, 5, "package.installed", "{}"},
                                NewEvent{"agt_a", std::nullopt, 5, "package.installed", "{}"}});
  EXPECT_THAT(inserted, ::testing::ElementsAre(true, true));
}

TEST_P(EventStoreTest, InsertReturnsTheIdOfEachNewRow) {
  // Mixed agent and derived events, out of seq order: every id must name its own row, because
  // detection cites events by id as alert evidence.
  const std::vector<NewEvent> events = {
      NewEvent{"agt_a", 7, 1, "log", R"({"n":"a7"})"},
      NewEvent{"agt_a", std::nullopt, 2, "port.opened", R"({"n":"derived"})"},
      NewEvent{"agt_b", 3, 3, "log", R"({"n":"b3"})"},
      NewEvent{"agt_a", 5, 4, "log", R"({"n":"a5"})"}};
  std::vector<std::int64_t> ids;
  Status status = db_->transact([&](store::Connection& tx) -> Status {
    SENTINEL_ASSIGN(result, EventStore::insert(tx, events, 1000));
    ids = std::move(result);
    return ok();
  });
  ASSERT_TRUE(status) << status.error().message;
  ASSERT_EQ(ids.size(), events.size());
  EventStore store(*db_);
  auto all = store.search(EventQuery{});
  ASSERT_TRUE(all);
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto row = std::find_if(all->items.begin(), all->items.end(),
                                  [&](const StoredEvent& e) { return e.id == ids[i]; });
    ASSERT_NE(row, all->items.end()) << i;
    EXPECT_EQ(row->data_json, events[i].data_json) << i;
  }
  status = db_->transact([&](store::Connection& tx) -> Status {
    SENTINEL_ASSIGN(again, EventStore::insert(tx, {events[0]}, 1000));
    EXPECT_EQ(again, std::vector<std::int64_t>{0});  // already stored
    return ok();
  });
  ASSERT_TRUE(status);
}

TEST_P(EventStoreTest, SearchFiltersOnDataFields) {
  insert({NewEvent{"agt_a", 1, 10, "log", R"({"source.ip":"203.0.113.9","user.name":"root"})"},
          NewEvent{"agt_a", 2, 20, "log", R"({"source.ip":"203.0.113.9","user.name":"bob"})"},
          NewEvent{"agt_a", 3, 30, "log", R"({"source.ip":"198.51.100.1","user.name":"root"})"},
          NewEvent{"agt_a", 4, 40, "port.opened", R"({"port":22})"}});
  EventStore store(*db_);
  auto both =
      store.search(EventQuery{.fields = {{"source.ip", "203.0.113.9"}, {"user.name", "root"}}});
  ASSERT_TRUE(both) << both.error().message;
  ASSERT_EQ(both->total, 1);
  EXPECT_EQ(both->items[0].seq, 1);
  auto number = store.search(EventQuery{.fields = {{"port", "22"}}});
  ASSERT_TRUE(number) << number.error().message;
  EXPECT_EQ(number->total, 1);
  auto none = store.search(EventQuery{.fields = {{"source.ip", "203.0.113"}}});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->total, 0);
  auto hostile = store.search(EventQuery{.fields = {{"x') OR 1=1 --", "a"}}});
  ASSERT_FALSE(hostile);
  EXPECT_EQ(hostile.error().field, "field");
}

TEST_P(EventStoreTest, DeleteOlderThanRemovesOnlyOldEventsInBatches) {
  std::vector<NewEvent> events;
  for (int seq = 1; seq <= 30; ++seq) events.push_back(agent_event("agt_a", seq));  // time 101..130
  insert(events);
  EventStore store(*db_);
  auto first = store.delete_older_than(121, 15);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, 15);
  auto second = store.delete_older_than(121, 15);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, 5);
  auto left = store.search(EventQuery{.limit = 100});
  ASSERT_TRUE(left);
  EXPECT_EQ(left->total, 10);
  EXPECT_EQ(left->items.back().time_ms, 121);
}

TEST_P(EventStoreTest, SearchFiltersByTypePrefixTextAndTime) {
  insert({NewEvent{"agt_a", 1, 10, "package.installed", R"({"name":"OpenSSH-Server"})"},
          NewEvent{"agt_a", 2, 20, "package.removed", R"({"name":"telnet"})"},
          NewEvent{"agt_a", 3, 30, "port.opened", R"({"port":22})"},
          NewEvent{"agt_a", 4, 40, "port.opened", R"({"note":"100%_done"})"}});
  EventStore store(*db_);
  auto packages = store.search(EventQuery{.type = "package."});
  ASSERT_TRUE(packages);
  EXPECT_EQ(packages->total, 2);
  auto exact = store.search(EventQuery{.type = "port.opened", .since_ms = 25, .until_ms = 35});
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->total, 1);
  auto text = store.search(EventQuery{.text = "openssh"});  // case-insensitive
  ASSERT_TRUE(text);
  ASSERT_EQ(text->total, 1);
  EXPECT_EQ(text->items[0].type, "package.installed");
  auto literal = store.search(EventQuery{.text = "0%_d"});  // % and _ are not wildcards
  ASSERT_TRUE(literal);
  EXPECT_EQ(literal->total, 1);
  auto wildcard = store.search(EventQuery{.text = "%"});
  ASSERT_TRUE(wildcard);
  EXPECT_EQ(wildcard->total, 1);
}

constexpr std::int64_t kHour = 3600 * 1000;
constexpr std::int64_t kMidnight = 1767225600000;  // 2026-01-01T00:00:00Z

TEST_P(EventStoreTest, SummaryCountsTheLastHoursPerHourTypeAndAgent) {
  const std::int64_t now = kMidnight + 10 * kHour + 30 * 60 * 1000;  // 10:30
  std::vector<NewEvent> events = {
      {"agt_a", 1, kMidnight + 8 * kHour - 1, "too.old", "{}"},  // 07:59:59.999, outside
      {"agt_a", 2, kMidnight + 8 * kHour, "login.failed", "{}"},
      {"agt_a", 3, kMidnight + 8 * kHour + 30 * 60 * 1000, "login.failed", "{}"},
      {"agt_b", 1, kMidnight + 10 * kHour + 29 * 60 * 1000, "login.failed", "{}"},
      {"agt_b", 2, kMidnight + 11 * kHour - 1, "process.started", "{}"},  // later this hour
      {"agt_b", 3, kMidnight + 11 * kHour, "too.new", "{}"},              // next hour, outside
      {"agt_b", std::nullopt, kMidnight + 10 * kHour, "package.installed", "{}"},  // derived
      {"", std::nullopt, kMidnight + 10 * kHour + 5 * 60 * 1000, "server.started", "{}"},
  };
  // Twelve more types, one event each, from a third agent at 09:xx: the lists stop at ten.
  for (int i = 0; i < 12; ++i) {
    events.push_back({"agt_c", 100 + i, kMidnight + 9 * kHour + i * 60 * 1000,
                      fmt::format("type.{:02}", i), "{}"});
  }
  insert(events);
  EventStore store(*db_);

  auto summary = store.summary(3, now);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->since_ms, kMidnight + 8 * kHour);
  EXPECT_THAT(summary->buckets, ::testing::ElementsAre(2, 12, 4));
  ASSERT_EQ(summary->by_type.size(), 10u);
  EXPECT_EQ(summary->by_type[0].key, "login.failed");
  EXPECT_EQ(summary->by_type[0].count, 3);
  for (std::size_t i = 1; i < summary->by_type.size(); ++i) {
    EXPECT_EQ(summary->by_type[i].count, 1) << summary->by_type[i].key;
    EXPECT_NE(summary->by_type[i].key, "too.old");
    EXPECT_NE(summary->by_type[i].key, "too.new");
  }
  ASSERT_EQ(summary->top_agents.size(), 3u);  // the server's own event has no agent
  EXPECT_EQ(summary->top_agents[0].key, "agt_c");
  EXPECT_EQ(summary->top_agents[0].count, 12);
  EXPECT_EQ(summary->top_agents[1].key, "agt_b");
  EXPECT_EQ(summary->top_agents[1].count, 3);
  EXPECT_EQ(summary->top_agents[2].key, "agt_a");
  EXPECT_EQ(summary->top_agents[2].count, 2);

  // One hour: the current one only.
  auto current = store.summary(1, now);
  ASSERT_TRUE(current);
  EXPECT_EQ(current->since_ms, kMidnight + 10 * kHour);
  EXPECT_THAT(current->buckets, ::testing::ElementsAre(4));
  ASSERT_EQ(current->by_type.size(), 4u);
  EXPECT_EQ(current->by_type[0].key, "login.failed");
  EXPECT_EQ(current->by_type[0].count, 1);

  // A quiet week: every hour present, as zeros, and nothing to rank.
  auto quiet = store.summary(kMaxSummaryHours, now + 30 * 24 * kHour);
  ASSERT_TRUE(quiet);
  EXPECT_EQ(quiet->buckets, std::vector<std::int64_t>(kMaxSummaryHours, 0));
  EXPECT_TRUE(quiet->by_type.empty());
  EXPECT_TRUE(quiet->top_agents.empty());
}

TEST_P(EventStoreTest, SummaryRefusesWindowsOutsideOneHourToAWeek) {
  EventStore store(*db_);
  for (const std::int64_t hours : {std::int64_t{0}, std::int64_t{-1}, kMaxSummaryHours + 1}) {
    auto summary = store.summary(hours, kMidnight);
    ASSERT_FALSE(summary) << hours;
    EXPECT_EQ(summary.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(summary.error().field, "hours");
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, EventStoreTest, ::testing::ValuesIn(test::kBackends));

}  // namespace
}  // namespace sentinel::events
