#include "sentinel/events/event_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
      SENTINEL_ASSIGN(result, EventStore::insert(tx, events, 1000));
      inserted = std::move(result);
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

INSTANTIATE_TEST_SUITE_P(Backends, EventStoreTest, ::testing::ValuesIn(test::kBackends));

}  // namespace
}  // namespace sentinel::events
