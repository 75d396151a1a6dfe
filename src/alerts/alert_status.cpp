// Names of statuses, and the lifecycle's allowed moves.

#include <array>
#include <utility>

#include "sentinel/alerts/alert_service.h"

namespace sentinel::alerts {
namespace {

constexpr std::array<std::pair<AlertStatus, std::string_view>, 4> kStatusNames = {{
    {AlertStatus::kNew, "new"},
    {AlertStatus::kAcknowledged, "acknowledged"},
    {AlertStatus::kResolved, "resolved"},
    {AlertStatus::kFalsePositive, "false_positive"},
}};

bool is_closed(AlertStatus status) {
  return status == AlertStatus::kResolved || status == AlertStatus::kFalsePositive;
}

}  // namespace

std::string_view to_string(AlertStatus status) {
  for (const auto& [value, name] : kStatusNames) {
    if (value == status) return name;
  }
  return "new";
}

std::optional<AlertStatus> parse_alert_status(std::string_view text) {
  for (const auto& [value, name] : kStatusNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

bool transition_allowed(AlertStatus from, AlertStatus to) {
  if (from == to) return true;
  switch (from) {
    case AlertStatus::kNew:
      return true;
    case AlertStatus::kAcknowledged:
      // No way back to new: acknowledging is a claim someone is on it; closing ends it.
      return is_closed(to);
    case AlertStatus::kResolved:
    case AlertStatus::kFalsePositive:
      // Reopened alerts start over as new; a closed alert may also be reclassified.
      return to == AlertStatus::kNew || is_closed(to);
  }
  return false;
}

}  // namespace sentinel::alerts
