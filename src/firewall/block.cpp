// Block values: scope names and repeat-offender escalation.

#include "sentinel/firewall/block.h"

#include <algorithm>

namespace sentinel::firewall {

std::string_view to_string(BlockScopeKind kind) {
  switch (kind) {
    case BlockScopeKind::kAgent:
      return "agent";
    case BlockScopeKind::kGroup:
      return "group";
    case BlockScopeKind::kAll:
      return "all";
  }
  return "all";
}

std::int64_t escalated_duration_s(std::int64_t base_s, int offence) {
  std::int64_t duration = std::clamp<std::int64_t>(base_s, 1, kMaxBlockSeconds);
  // Doubling stops at the cap, so no shift count or product can overflow.
  for (int n = 1; n < offence && duration < kMaxBlockSeconds; ++n) duration *= 2;
  return std::min(duration, kMaxBlockSeconds);
}

}  // namespace sentinel::firewall
