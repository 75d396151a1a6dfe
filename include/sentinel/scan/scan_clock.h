#pragma once
// The time types of the engine. Timing classes take `now` as an argument instead of reading a
// clock, so that unit tests drive them with made-up times.

#include <chrono>

namespace sentinel::scan {

using ScanClock = std::chrono::steady_clock;
using TimePoint = ScanClock::time_point;
using Duration = std::chrono::microseconds;

}  // namespace sentinel::scan
