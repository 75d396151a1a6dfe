// The timing model: RFC 6298 estimation, the congestion window and the rate cap, driven by
// made-up times.

#include <gtest/gtest.h>

#include "sentinel/scan/congestion_window.h"
#include "sentinel/scan/rate_limiter.h"
#include "sentinel/scan/rtt_estimator.h"

namespace sentinel::scan {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr RttBounds kWideBounds{milliseconds(1000), microseconds(1), seconds(60)};

TEST(RttEstimator, StartsAtTheInitialTimeout) {
  const RttEstimator estimator(RttBounds{milliseconds(500), milliseconds(100), milliseconds(1250)});
  EXPECT_FALSE(estimator.has_samples());
  EXPECT_EQ(estimator.timeout(), milliseconds(500));
}

TEST(RttEstimator, FollowsRfc6298) {
  RttEstimator estimator(kWideBounds);
  estimator.add_sample(milliseconds(100));
  // 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4·RTTVAR.
  EXPECT_EQ(estimator.srtt(), milliseconds(100));
  EXPECT_EQ(estimator.rttvar(), milliseconds(50));
  EXPECT_EQ(estimator.timeout(), milliseconds(300));
  estimator.add_sample(milliseconds(200));
  // 2.3: RTTVAR = 3/4·50 + 1/4·|100-200| = 62.5; SRTT = 7/8·100 + 1/8·200 = 112.5.
  EXPECT_EQ(estimator.rttvar(), microseconds(62500));
  EXPECT_EQ(estimator.srtt(), microseconds(112500));
  EXPECT_EQ(estimator.timeout(), microseconds(112500 + 4 * 62500));
}

TEST(RttEstimator, SettlesOnASteadyRtt) {
  RttEstimator estimator(kWideBounds);
  for (int i = 0; i < 100; ++i) estimator.add_sample(milliseconds(20));
  EXPECT_EQ(estimator.srtt(), milliseconds(20));
  EXPECT_LT(estimator.timeout(), milliseconds(21));
}

TEST(RttEstimator, ClampsTheTimeout) {
  RttEstimator fast(RttBounds{milliseconds(500), milliseconds(100), milliseconds(1250)});
  fast.add_sample(microseconds(30));  // loopback
  EXPECT_EQ(fast.timeout(), milliseconds(100));
  RttEstimator slow(RttBounds{milliseconds(500), milliseconds(100), milliseconds(1250)});
  slow.add_sample(seconds(2));
  EXPECT_EQ(slow.timeout(), milliseconds(1250));
}

TEST(HostRttTable, UsesTheHostsOwnEstimateElseTheScanWideOne) {
  HostRttTable table(kWideBounds);
  const IpAddress near = *IpAddress::parse("10.0.0.1");
  const IpAddress far = *IpAddress::parse("10.0.0.2");
  const IpAddress silent = *IpAddress::parse("10.0.0.3");
  EXPECT_EQ(table.timeout(silent), milliseconds(1000));
  for (int i = 0; i < 50; ++i) table.add_sample(near, milliseconds(2));
  for (int i = 0; i < 50; ++i) table.add_sample(far, milliseconds(200));
  EXPECT_LT(table.timeout(near), milliseconds(5));
  EXPECT_GT(table.timeout(far), milliseconds(199));
  // A host that never answered waits like the scan as a whole, not the initial guess.
  EXPECT_EQ(table.timeout(silent), table.global().timeout());
  EXPECT_LT(table.timeout(silent), milliseconds(1000));
}

TEST(CongestionWindow, GrowsExponentiallyThenLinearly) {
  CongestionWindow window(CongestionOptions{10, 1, 1000});
  EXPECT_EQ(window.limit(), 10u);
  for (int i = 0; i < 10; ++i) window.on_answer();
  EXPECT_EQ(window.limit(), 20u);  // slow start: +1 per answer
  window.on_loss(TimePoint{} + seconds(1), milliseconds(100));
  EXPECT_EQ(window.limit(), 10u);  // halved; the threshold is now 10
  for (int i = 0; i < 10; ++i) window.on_answer();
  EXPECT_EQ(window.limit(), 10u);  // congestion avoidance: about +1 per window of answers
  for (int i = 0; i < 2; ++i) window.on_answer();
  EXPECT_EQ(window.limit(), 11u);
}

TEST(CongestionWindow, HalvesOncePerHoldoffAndRespectsBounds) {
  CongestionWindow window(CongestionOptions{64, 4, 100});
  const TimePoint start{};
  window.on_loss(start, milliseconds(100));
  window.on_loss(start + milliseconds(50), milliseconds(100));  // the same burst of losses
  EXPECT_EQ(window.limit(), 32u);
  window.on_loss(start + milliseconds(150), milliseconds(100));
  EXPECT_EQ(window.limit(), 16u);
  for (int i = 1; i <= 4; ++i) window.on_loss(start + seconds(i), milliseconds(100));
  EXPECT_EQ(window.limit(), 4u);  // never below min
  for (int i = 0; i < 100000; ++i) window.on_answer();
  EXPECT_EQ(window.limit(), 100u);  // never above max, the concurrency cap
}

TEST(RateLimiter, PacesToTheRateAfterTheBurst) {
  RateLimiter limiter(1000, 5);  // one token per millisecond
  const TimePoint start = TimePoint{} + seconds(10);
  int sent = 0;
  while (limiter.try_acquire(start)) ++sent;
  EXPECT_EQ(sent, 5);
  EXPECT_EQ(limiter.wait_time(start), milliseconds(1));
  EXPECT_FALSE(limiter.try_acquire(start + microseconds(500)));
  EXPECT_TRUE(limiter.try_acquire(start + microseconds(1000)));
  // Over one second at most rate + burst probes go out.
  sent = 0;
  for (int us = 1000; us <= 1001000; us += 100) {
    while (limiter.try_acquire(start + microseconds(us))) ++sent;
  }
  EXPECT_GE(sent, 999);
  EXPECT_LE(sent, 1001);
}

TEST(RateLimiter, ZeroMeansUnlimited) {
  RateLimiter limiter(0, 1);
  for (int i = 0; i < 100000; ++i) ASSERT_TRUE(limiter.try_acquire(TimePoint{}));
  EXPECT_EQ(limiter.wait_time(TimePoint{}), Duration{0});
}

}  // namespace
}  // namespace sentinel::scan
