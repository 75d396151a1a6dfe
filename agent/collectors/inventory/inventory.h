#pragma once
// The agent's host inventory: every section collected at once into a Snapshot, which crosses the
// pipe from the confined collector child as JSON, and the shared item keys and diffs.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <map>
#include <string>
#include <string_view>

#include "agent/collectors/inventory/system_roots.h"
#include "sentinel/common/result.h"
#include "sentinel/inventory/sections.h"

namespace sentinel::agent::inventory {

using sentinel::inventory::diff_section;
using sentinel::inventory::kSections;
using sentinel::inventory::section_key;

/// One collection of the host: the items of each section that could be collected, and why the
/// others could not. A section missing from `sections` is unknown this time, not empty.
struct Snapshot {
  std::map<std::string, boost::json::array, std::less<>> sections;
  std::map<std::string, std::string, std::less<>> errors;
};

/// The items of one section, sorted by key, duplicates of a key dropped (the first is kept).
/// kInvalidArgument for an unknown section name; the collector's error otherwise.
Result<boost::json::array> collect_section(std::string_view name, const SystemRoots& roots);

/// Every section of kSections; a section that fails lands in Snapshot::errors.
Snapshot collect_all(const SystemRoots& roots);

/// {"sections":{name:[items]},"errors":{name:message}}: what the collector child writes.
boost::json::object to_json(const Snapshot& snapshot);

/// The inverse of to_json, strict: unknown sections, invalid items and duplicate keys are
/// kInvalidArgument naming the field.
Result<Snapshot> snapshot_from_json(const boost::json::value& json);

}  // namespace sentinel::agent::inventory
