// GET /api/v1/events/summary through the route table over a real EventStore on SQLite, with the
// clock moved by the test: the answer's shape and times, and strict validation of `hours`.

#include "sentinel/events/event_routes.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "tests/support/test_database.h"

namespace sentinel::events {
namespace {

constexpr std::int64_t kHour = 3600 * 1000;
constexpr std::int64_t kMidnight = 1767225600000;  // 2026-01-01T00:00:00Z

class EventRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = test::open_test_database("sqlite", dir_);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    store_ = std::make_unique<EventStore>(*db_);
    ASSERT_TRUE(register_event_routes(router_, *store_, clock_));
  }

  Result<gateway::Response> summary(std::map<std::string, std::string, std::less<>> query) {
    const gateway::RouteMatch match = router_.match("GET", "/api/v1/events/summary");
    EXPECT_EQ(match.kind, gateway::RouteMatch::Kind::kFound);
    if (match.kind != gateway::RouteMatch::Kind::kFound) return internal_error("no route");
    EXPECT_EQ(match.route->permission, "events:read");
    gateway::Request request;
    request.method = "GET";
    request.path = "/api/v1/events/summary";
    request.query = std::move(query);
    return match.route->handler(request);
  }

  test::TempDir dir_{"sentinel-event-routes"};
  ManualClock clock_{kMidnight + 10 * kHour + 15 * 60 * 1000};  // 10:15
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<EventStore> store_;
  gateway::Router router_;
};

TEST_F(EventRoutesTest, SummaryAnswersHourlyBucketsAndRankings) {
  const Status inserted = db_->transact([](store::Connection& tx) -> Status {
    SENTINEL_TRY(EventStore::insert(tx,
                                    {{"agt_a", 1, kMidnight + 8 * kHour + 1, "login.failed", "{}"},
                                     {"agt_a", 2, kMidnight + 10 * kHour + 2, "login.failed", "{}"},
                                     {"agt_b", 1, kMidnight + 10 * kHour + 3, "port.opened", "{}"}},
                                    kMidnight + 11 * kHour));
    return ok();
  });
  ASSERT_TRUE(inserted) << inserted.error().message;

  auto response = summary({{"hours", "3"}});
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  const boost::json::value expected = boost::json::parse(R"({
    "since": "2026-01-01T08:00:00.000Z",
    "bucket_s": 3600,
    "buckets": [
      {"start": "2026-01-01T08:00:00.000Z", "count": 1},
      {"start": "2026-01-01T09:00:00.000Z", "count": 0},
      {"start": "2026-01-01T10:00:00.000Z", "count": 2}
    ],
    "by_type": [{"type": "login.failed", "count": 2}, {"type": "port.opened", "count": 1}],
    "top_agents": [{"agent_id": "agt_a", "count": 2}, {"agent_id": "agt_b", "count": 1}]
  })");
  EXPECT_EQ(boost::json::parse(response->body), expected) << response->body;

  // Without `hours`: the last 24, ending with the current hour.
  auto day = summary({});
  ASSERT_TRUE(day) << day.error().message;
  const boost::json::value body = boost::json::parse(day->body);
  const boost::json::array& buckets = body.at("buckets").as_array();
  ASSERT_EQ(buckets.size(), 24u);
  EXPECT_EQ(body.at("since").as_string(), "2025-12-31T11:00:00.000Z");
  EXPECT_EQ(buckets.front().at("start").as_string(), "2025-12-31T11:00:00.000Z");
  EXPECT_EQ(buckets.back().at("start").as_string(), "2026-01-01T10:00:00.000Z");
  EXPECT_EQ(buckets.back().at("count").as_int64(), 2);
}

TEST_F(EventRoutesTest, SummaryRefusesHoursOutsideOneToAWeekAndNonNumbers) {
  for (const std::string hours : {"0", "169", "1000", "-1", "abc", "", "24h", "1.5"}) {
    auto response = summary({{"hours", hours}});
    ASSERT_FALSE(response) << "hours=" << hours;
    EXPECT_EQ(response.error().code, ErrorCode::kInvalidArgument) << hours;
    EXPECT_EQ(response.error().field, "hours") << hours;
  }
  auto week = summary({{"hours", "168"}});
  ASSERT_TRUE(week) << week.error().message;
  EXPECT_EQ(boost::json::parse(week->body).at("buckets").as_array().size(), 168u);
}

}  // namespace
}  // namespace sentinel::events
