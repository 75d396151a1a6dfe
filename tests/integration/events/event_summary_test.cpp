// GET /api/v1/events/summary on a real server: events written into the server's own database
// through EventStore are counted in the right hour, by type and by agent; bad windows are 400.

#include <gtest/gtest.h>

#include "sentinel/common/clock.h"
#include "sentinel/common/time_format.h"
#include "sentinel/events/event_store.h"
#include "tests/integration/api_fixture.h"

namespace sentinel::test {
namespace {

constexpr std::int64_t kHour = 3600 * 1000;

class EventSummaryTest : public ApiTest {
 protected:
  /// Writes `rows` into the running server's database, as ingest does.
  void insert(const std::vector<events::NewEvent>& rows) {
    auto database = store::open_database(server_->database_url());
    ASSERT_TRUE(database) << database.error().message;
    const Status status = (*database)->transact([&](store::Connection& tx) -> Status {
      SENTINEL_TRY(events::EventStore::insert(tx, rows, SystemClock().now_ms()));
      return ok();
    });
    ASSERT_TRUE(status) << status.error().message;
  }

  /// The summary as a viewer sees it (viewers hold events:read).
  client::HttpReply summary(const std::string& query) {
    client::ApiClient viewer = anonymous();
    EXPECT_EQ(login(viewer, "summary-viewer", kViewerPassword).status, 200);
    auto reply = viewer.get("/api/v1/events/summary" + query);
    EXPECT_TRUE(reply) << reply.error().message;
    return reply ? *reply : client::HttpReply{};
  }

  static constexpr const char* kViewerPassword = "Hourly-Counts-Phrase-3317";
};

std::int64_t count_of(const boost::json::array& list, std::string_view key_name,
                      std::string_view key) {
  for (const auto& item : list) {
    if (item.at(key_name).as_string() == key) return item.at("count").as_int64();
  }
  return 0;
}

TEST_P(EventSummaryTest, CountsStoredEventsPerHourTypeAndAgent) {
  client::ApiClient root = admin();
  create_user(root, "summary-viewer", kViewerPassword, "viewer");
  // Two hours before the current one: still inside the default day even when the hour turns
  // while the test runs.
  const std::int64_t two_hours_ago = SystemClock().now_ms() / kHour * kHour - 2 * kHour;
  insert({{"agt_summary_a", 1, two_hours_ago + 60'000, "login.failed", "{}"},
          {"agt_summary_a", 2, two_hours_ago + 120'000, "login.failed", "{}"},
          {"agt_summary_b", 1, two_hours_ago + 180'000, "port.opened", "{}"},
          {"agt_summary_b", 2, two_hours_ago - 28 * kHour, "too.old.for.a.day", "{}"}});

  const client::HttpReply reply = summary("");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const boost::json::value day = body_of(reply);
  EXPECT_EQ(day.at("bucket_s").as_int64(), 3600);
  const boost::json::array& buckets = day.at("buckets").as_array();
  ASSERT_EQ(buckets.size(), 24u);
  EXPECT_EQ(day.at("since"), buckets.front().at("start"));
  std::int64_t total = 0;
  for (const auto& bucket : buckets) total += bucket.at("count").as_int64();
  EXPECT_EQ(total, 3) << reply.body;
  EXPECT_EQ(count_of(buckets, "start", iso8601_utc(two_hours_ago)), 3) << reply.body;
  EXPECT_EQ(day.at("by_type"), boost::json::parse(R"([{"type":"login.failed","count":2},
                                                      {"type":"port.opened","count":1}])"));
  EXPECT_EQ(day.at("top_agents"), boost::json::parse(R"([{"agent_id":"agt_summary_a","count":2},
                                   {"agent_id":"agt_summary_b","count":1}])"));

  const client::HttpReply two_days = summary("?hours=48");
  ASSERT_EQ(two_days.status, 200) << two_days.body;
  const boost::json::value wide = body_of(two_days);
  EXPECT_EQ(wide.at("buckets").as_array().size(), 48u);
  EXPECT_EQ(count_of(wide.at("by_type").as_array(), "type", "too.old.for.a.day"), 1);
  EXPECT_EQ(count_of(wide.at("top_agents").as_array(), "agent_id", "agt_summary_b"), 2);
}

TEST_P(EventSummaryTest, RefusesHoursOutsideOneToAWeek) {
  client::ApiClient root = admin();
  for (const std::string hours : {"0", "1000", "abc", "169"}) {
    auto reply = root.get("/api/v1/events/summary?hours=" + hours);
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->status, 400) << hours << ": " << reply->body;
    EXPECT_EQ(error_code(*reply), "invalid_argument") << hours;
    const auto error = reply->api_error();
    ASSERT_TRUE(error) << reply->body;
    EXPECT_EQ(error->field, "hours");
  }
  auto week = root.get("/api/v1/events/summary?hours=168");
  ASSERT_TRUE(week);
  ASSERT_EQ(week->status, 200) << week->body;
  EXPECT_EQ(body_of(*week).at("buckets").as_array().size(), 168u);
}

SENTINEL_BOTH_BACKENDS(EventSummaryTest);

}  // namespace
}  // namespace sentinel::test
