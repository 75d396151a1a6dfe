// The admin bodies that widen or steer what the platform does on its own: scan scopes and
// their check, scan schedules (each embedding a scan body), threat-intel feed definitions and
// changes. The first byte picks the parser, the rest is the body. Every parser must answer
// with a value or an invalid-argument error naming a field, never crash, and what it accepts
// must hold its promises (one recurrence of the allowed length, bounded schedule names and
// scope comments).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "src/firewall/feed_body.h"
#include "src/scanner/schedule_body.h"
#include "src/scanner/scope_body.h"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

template <typename T>
bool accepted(const sentinel::Result<T>& result) {
  if (!result) {
    require(result.error().code == sentinel::ErrorCode::kInvalidArgument);
    require(!result.error().message.empty());
  }
  return result.has_value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  namespace scanner = sentinel::scanner;
  namespace firewall = sentinel::firewall;
  switch (data[0] % 5) {
    case 0:
      if (auto scope = scanner::parse_scope_request(body); accepted(scope)) {
        require(scope->comment.size() <= scanner::kMaxScopeComment);
      }
      break;
    case 1:
      if (auto targets = scanner::parse_scope_check_request(body); accepted(targets)) {
        require(!targets->empty());
      }
      break;
    case 2: {
      constexpr std::chrono::seconds kMinInterval(300);
      if (auto schedule = scanner::parse_schedule_request(body, kMinInterval); accepted(schedule)) {
        const auto& recurrence = schedule->recurrence;
        require(!schedule->name.empty() && schedule->name.size() <= scanner::kMaxScheduleName);
        require((recurrence.interval_s > 0) != recurrence.daily_minute.has_value());
        if (recurrence.interval_s > 0) {
          require(recurrence.interval_s >= kMinInterval.count() &&
                  recurrence.interval_s <= scanner::kMaxScheduleIntervalS);
        } else {
          require(*recurrence.daily_minute >= 0 && *recurrence.daily_minute < 24 * 60);
        }
        require(!schedule->scan.targets.empty());
      }
      break;
    }
    case 3:
      // Names, sources and refresh periods are checked by the feed service, not the parser.
      accepted(firewall::parse_feed_definition(body));
      break;
    default:
      accepted(firewall::parse_feed_change(body));
      break;
  }
  return 0;
}
