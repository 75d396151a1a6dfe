#include "sentinel/detection/detection.h"

#include <array>

namespace sentinel::detection {
namespace {

constexpr std::array<std::pair<Severity, std::string_view>, 5> kSeverityNames = {{
    {Severity::kInformational, "informational"},
    {Severity::kLow, "low"},
    {Severity::kMedium, "medium"},
    {Severity::kHigh, "high"},
    {Severity::kCritical, "critical"},
}};

constexpr std::array<std::pair<ResponseScope, std::string_view>, 3> kScopeNames = {{
    {ResponseScope::kAgent, "agent"},
    {ResponseScope::kGroup, "group"},
    {ResponseScope::kAll, "all"},
}};

}  // namespace

std::string_view to_string(Severity severity) {
  for (const auto& [value, name] : kSeverityNames) {
    if (value == severity) return name;
  }
  return "medium";
}

std::optional<Severity> parse_severity(std::string_view text) {
  for (const auto& [value, name] : kSeverityNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

std::string_view to_string(ResponseScope scope) {
  for (const auto& [value, name] : kScopeNames) {
    if (value == scope) return name;
  }
  return "agent";
}

std::optional<ResponseScope> parse_response_scope(std::string_view text) {
  for (const auto& [value, name] : kScopeNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace sentinel::detection
