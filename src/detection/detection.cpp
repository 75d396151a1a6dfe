#include "sentinel/detection/detection.h"

namespace sentinel::detection {

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::kInformational:
      return "informational";
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "medium";
}

}  // namespace sentinel::detection
