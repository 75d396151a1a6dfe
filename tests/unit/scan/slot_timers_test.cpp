#include "src/scan/slot_timers.h"

#include <gtest/gtest.h>

namespace sentinel::scan {
namespace {

using std::chrono::milliseconds;

const TimePoint kStart{std::chrono::seconds(1000)};

TEST(SlotTimersTest, DueTimersComeOutEarliestFirstAndOnlyOnce) {
  SlotTimers timers(3);
  timers.set(0, kStart + milliseconds(30));
  timers.set(1, kStart + milliseconds(10));
  timers.set(2, kStart + milliseconds(20));
  EXPECT_EQ(timers.pop_due(kStart), std::nullopt);
  EXPECT_EQ(timers.pop_due(kStart + milliseconds(25)), 1u);
  EXPECT_EQ(timers.pop_due(kStart + milliseconds(25)), 2u);
  EXPECT_EQ(timers.pop_due(kStart + milliseconds(25)), std::nullopt);
  EXPECT_EQ(timers.pop_due(kStart + milliseconds(40)), 0u);
  EXPECT_EQ(timers.pop_due(kStart + milliseconds(40)), std::nullopt);
}

TEST(SlotTimersTest, ASlotHasOneLiveTimerAndACancelledSlotNone) {
  SlotTimers timers(2);
  timers.set(0, kStart + milliseconds(10));
  timers.set(0, kStart + milliseconds(50));  // the earlier one is stale now
  timers.set(1, kStart + milliseconds(20));
  timers.cancel(1);
  EXPECT_EQ(timers.next_timeout_ms(kStart), 50);
  EXPECT_EQ(timers.pop_due(kStart + milliseconds(30)), std::nullopt);
  EXPECT_EQ(timers.pop_due(kStart + milliseconds(50)), 0u);
}

TEST(SlotTimersTest, TheWaitIsRoundedUpAndIdleWithoutTimers) {
  SlotTimers timers(1);
  EXPECT_EQ(timers.next_timeout_ms(kStart), 1000);
  EXPECT_EQ(timers.next_timeout_ms(kStart, 250), 250);
  timers.set(0, kStart + std::chrono::microseconds(1500));
  EXPECT_EQ(timers.next_timeout_ms(kStart), 2);  // never wakes early
  EXPECT_EQ(timers.next_timeout_ms(kStart + milliseconds(5)), 0);
}

}  // namespace
}  // namespace sentinel::scan
