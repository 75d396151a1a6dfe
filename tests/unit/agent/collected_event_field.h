#pragma once
// Reading one field of a collector's event in an assertion.

#include <string>
#include <string_view>

#include "agent/collectors/collected_event.h"

namespace sentinel::agent {

/// The value of field `name` of `event`, or "<absent>" when it has none (so that a missing field
/// shows in the failure message rather than as an empty string).
inline std::string field(const CollectedEvent& event, std::string_view name) {
  for (const detection::Field& field : event.fields) {
    if (field.name == name) return field.value;
  }
  return "<absent>";
}

}  // namespace sentinel::agent
