#include "progress_log.h"

#include <gtest/gtest.h>

namespace sentinel::ctl {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kScanning = "[###---]  50.0%  running";
constexpr std::string_view kNaming = "[######] 100.0%  running (services)";

ProgressLog::Clock::time_point at(std::chrono::milliseconds offset) {
  return ProgressLog::Clock::time_point{} + 1h + offset;
}

TEST(ProgressLogTest, ATerminalRedrawsEveryLine) {
  ProgressLog log(true);
  EXPECT_TRUE(log.should_write(kScanning, false, at(0ms)));
  EXPECT_TRUE(log.should_write(kScanning, false, at(10ms)));
  EXPECT_TRUE(log.should_write(kNaming, false, at(20ms)));
}

TEST(ProgressLogTest, ALogGetsAtMostOneLineASecond) {
  ProgressLog log(false);
  EXPECT_TRUE(log.should_write(kScanning, false, at(0ms)));
  EXPECT_FALSE(log.should_write(kNaming, false, at(400ms)));
  EXPECT_TRUE(log.should_write(kNaming, false, at(1000ms)));
}

TEST(ProgressLogTest, ALogGetsAnUnchangedLineAgainOnlyAfterTenSeconds) {
  ProgressLog log(false);
  EXPECT_TRUE(log.should_write(kNaming, false, at(0ms)));
  for (auto second = 1s; second < 10s; second += 1s) {
    EXPECT_FALSE(log.should_write(kNaming, false, at(second))) << second.count() << " s";
  }
  EXPECT_TRUE(log.should_write(kNaming, false, at(10s)));
  EXPECT_FALSE(log.should_write(kNaming, false, at(11s)));
}

TEST(ProgressLogTest, TheLastLineIsAlwaysWritten) {
  ProgressLog log(false);
  EXPECT_TRUE(log.should_write(kNaming, false, at(0ms)));
  EXPECT_TRUE(log.should_write(kNaming, true, at(1ms)));
}

}  // namespace
}  // namespace sentinel::ctl
