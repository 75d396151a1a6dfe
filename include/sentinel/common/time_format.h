#pragma once
// How times appear in the API and logs: ISO-8601 UTC with milliseconds.

#include <cstdint>
#include <string>

namespace sentinel {

/// "2026-11-25T18:52:03.123Z" for Unix milliseconds.
std::string iso8601_utc(std::int64_t time_ms);

}  // namespace sentinel
