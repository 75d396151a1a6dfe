#pragma once
// Strict decoding of the data of the agent's inventory events (the agent is untrusted): exact
// field sets, known sections, valid items, unique keys. Errors name the field.

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>

#include "sentinel/common/result.h"
#include "sentinel/inventory/sections.h"

namespace sentinel::inventory {

/// One part of an inventory.snapshot.
struct SnapshotPart {
  std::string section;
  KeyedItems items;
  std::int64_t part = 1;
  std::int64_t parts = 1;
};

/// An inventory.delta: the items by key. `changed` holds the new state of each changed item
/// (the agent's "before" is checked for shape and key, but the server trusts its own state).
struct SectionDelta {
  std::string section;
  KeyedItems added;
  KeyedItems removed;
  KeyedItems changed;
};

/// {"section","items","part","parts"}, 1 <= part <= parts <= kMaxSnapshotParts.
Result<SnapshotPart> parse_snapshot_part(const boost::json::object& data);

/// {"section","added","removed","changed"}; a key may appear in one list only.
Result<SectionDelta> parse_section_delta(const boost::json::object& data);

}  // namespace sentinel::inventory
