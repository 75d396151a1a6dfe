// LongRunningLane: at most threads + queue long-running requests at once, each place given back
// however its request ends, and the answer to the ones beyond.

#include "src/gateway/long_running_lane.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <stdexcept>
#include <vector>

namespace sentinel::gateway {
namespace {

bool shows(const MetricsRegistry& metrics, const std::string& line) {
  return metrics.render().find("\n" + line + "\n") != std::string::npos;
}

TEST(LongRunningLaneTest, AdmitsThreadsPlusQueueAndGivesPlacesBack) {
  MetricsRegistry metrics;
  LongRunningLane lane(2, 1, metrics);
  EXPECT_TRUE(shows(metrics, "sentinel_http_long_running_in_flight 0"));
  std::vector<std::unique_ptr<LanePlace>> places;
  for (int i = 0; i < 3; ++i) {
    places.push_back(std::make_unique<LanePlace>(lane));
    EXPECT_TRUE(places.back()->admitted()) << i;
  }
  EXPECT_EQ(lane.admitted(), 3);
  EXPECT_TRUE(shows(metrics, "sentinel_http_long_running_in_flight 3"));
  {
    const LanePlace beyond(lane);
    EXPECT_FALSE(beyond.admitted());
    EXPECT_EQ(lane.admitted(), 3);
  }
  EXPECT_EQ(lane.admitted(), 3) << "a refused place gives nothing back";
  places.pop_back();
  EXPECT_EQ(lane.admitted(), 2);
  EXPECT_TRUE(shows(metrics, "sentinel_http_long_running_in_flight 2"));
  // A request that ends in an exception gives its place back too.
  try {
    const LanePlace place(lane);
    ASSERT_TRUE(place.admitted());
    EXPECT_EQ(lane.admitted(), 3);
    throw std::runtime_error("handler failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(lane.admitted(), 2);
  places.clear();
  EXPECT_EQ(lane.admitted(), 0);
  EXPECT_TRUE(shows(metrics, "sentinel_http_long_running_in_flight 0"));
}

TEST(LongRunningLaneTest, WithoutQueueOnlyTheThreadsAreAdmitted) {
  MetricsRegistry metrics;
  LongRunningLane lane(1, 0, metrics);
  const LanePlace running(lane);
  EXPECT_TRUE(running.admitted());
  EXPECT_FALSE(LanePlace(lane).admitted());
}

TEST(LongRunningLaneTest, RefusalIsA503InTheErrorFormatWithRetryAfterAndCounted) {
  MetricsRegistry metrics;
  LongRunningLane lane(1, 0, metrics);
  const Response response = lane.refuse("/api/v1/firewall/apply", "POST");
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.content_type, "application/json");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "Retry-After");
  EXPECT_EQ(response.headers[0].second, std::to_string(kLongRunningRetryAfterSeconds));
  const boost::json::value body = boost::json::parse(response.body);
  EXPECT_EQ(body.at("error").at("code").as_string(), "server_busy");
  EXPECT_NE(std::string(body.at("error").at("message").as_string())
                .find("busy with long-running requests"),
            std::string::npos);
  lane.refuse("/api/v1/firewall/apply", "POST");
  EXPECT_TRUE(shows(metrics, R"(sentinel_http_long_running_refused_total{)"
                             R"(route="/api/v1/firewall/apply",method="POST"} 2)"));
}

}  // namespace
}  // namespace sentinel::gateway
