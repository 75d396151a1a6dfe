// A scan job's own rate and concurrency caps ("max_rate", "max_concurrency") through the API on
// a real server (SQLite and PostgreSQL): a job over 512 loopback addresses of 127.68.80.0/23 and
// one closed port, which the engine finishes uncapped well within its first progress report,
// is still in its port phase at that report when capped at 20 probes per second, with most of
// its pairs to go and the rate it reports near the cap; it is then cancelled. The job shows its
// caps; caps of a wrong type or out of bounds are refused naming the field.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/integration/scanner/scanner_support.h"

namespace sentinel::test {
namespace {

namespace json = boost::json;

class ScanLimitsTest : public ScannerApiTest {};

TEST_P(ScanLimitsTest, ARateCappedJobProbesAtItsCapAndCanBeCancelled) {
  const std::uint16_t closed = free_port_on("127.68.80.1");
  client::ApiClient root = admin();
  const auto reply = post_scan(root, {{"targets", {"127.68.80.0/23"}},
                                      {"ports", port_list({closed})},
                                      {"discovery", false},
                                      {"max_rate", 20},
                                      {"max_concurrency", 4}});
  ASSERT_EQ(reply.status, 202) << reply.body;
  const json::value queued = body_of(reply);
  EXPECT_EQ(queued.at("max_rate").to_number<double>(), 20.0) << queued;
  EXPECT_EQ(queued.at("max_concurrency"), json::value(4)) << queued;
  const std::int64_t id = queued.at("id").as_int64();

  // The first progress report with a pair done: uncapped, every pair of the job would be done
  // by then; capped, most are still to go.
  json::value current;
  for (;;) {
    current = wait_for_status(root, id, {"running", "completed", "cancelled", "failed"});
    if (current.at("status") != json::value("running") ||
        current.at("progress").at("pairs_done").as_int64() > 0) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(current.at("status"), json::value("running")) << current;
  const json::value& progress = current.at("progress");
  EXPECT_EQ(progress.at("phase"), json::value("ports")) << current;
  EXPECT_EQ(progress.at("pairs_total").as_int64(), 512) << current;
  EXPECT_LT(progress.at("pairs_done").as_int64(), 512 / 4) << current;
  // The engine's own average since the scan began: the cap, give or take its one-probe burst;
  // uncapped, loopback takes thousands per second.
  EXPECT_LT(progress.at("rate").to_number<double>(), 20.0 * 2) << current;
  EXPECT_EQ(job(root, id).at("max_rate").to_number<double>(), 20.0);

  auto cancelled = root.del("/api/v1/scans/" + std::to_string(id));
  ASSERT_TRUE(cancelled && cancelled->status < 300)
      << (cancelled ? cancelled->body : cancelled.error().message);
  const json::value ended = wait_for_status(root, id, {"completed", "cancelled", "failed"});
  EXPECT_EQ(ended.at("status"), json::value("cancelled")) << ended;
  EXPECT_LT(ended.at("progress").at("pairs_done").as_int64(), 512) << ended;
}

TEST_P(ScanLimitsTest, AJobWithoutCapsShowsNoneAndBadCapsAreRefusedNamingTheField) {
  client::ApiClient root = admin();
  const auto plain = post_scan(
      root, {{"targets", {"127.68.80.1"}}, {"ports", port_list({free_port_on("127.68.80.1")})}});
  ASSERT_EQ(plain.status, 202) << plain.body;
  EXPECT_TRUE(body_of(plain).at("max_rate").is_null()) << plain.body;
  EXPECT_TRUE(body_of(plain).at("max_concurrency").is_null()) << plain.body;
  wait_completed(root, body_of(plain).at("id").as_int64());

  for (const auto& [field, value] :
       std::vector<std::pair<std::string, json::value>>{{"max_rate", 0},
                                                        {"max_rate", -3},
                                                        {"max_rate", 2'000'000},
                                                        {"max_rate", "fast"},
                                                        {"max_concurrency", 0},
                                                        {"max_concurrency", 70'000},
                                                        {"max_concurrency", 1.5}}) {
    json::object body{{"targets", {"127.68.80.1"}}, {"ports", "22"}};
    body[field] = value;
    const auto refused = post_scan(root, body);
    EXPECT_EQ(refused.status, 400) << json::serialize(body) << " -> " << refused.body;
    EXPECT_EQ(refused.api_error() ? refused.api_error()->field : "", field)
        << json::serialize(body) << " -> " << refused.body;
  }
}

SENTINEL_BOTH_BACKENDS(ScanLimitsTest);

}  // namespace
}  // namespace sentinel::test
