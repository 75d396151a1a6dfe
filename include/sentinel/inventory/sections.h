#pragma once
// The inventory data model shared by the agent's collectors and the server: the sections, the
// fields of an item of each, an item's stable key, and the difference between two states of a
// section. One piece of code on both sides, so that the agent's deltas and the server's diffs
// agree on what "the same item" is. Pure functions, thread-safe.

#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::inventory {

/// Every inventory section.
inline constexpr std::array<std::string_view, 9> kSections = {"system",   "interfaces", "disks",
                                                              "packages", "processes",  "listening",
                                                              "users",    "groups",     "sessions"};

/// The event types that carry inventory from the agent to the server.
/// inventory.snapshot data: {"section","items":[item],"part":1..parts,"parts"}: the whole
/// section, split into parts when it would not fit one event.
/// inventory.delta data: {"section","added":[item],"removed":[item],
/// "changed":[{"before":item,"after":item}]}: what changed since the last report.
inline constexpr std::string_view kSnapshotEventType = "inventory.snapshot";
inline constexpr std::string_view kDeltaEventType = "inventory.delta";
/// The most parts one snapshot may have (1 MiB each).
inline constexpr std::int64_t kMaxSnapshotParts = 10000;

/// Limits every item must respect (the agent truncates, the server refuses).
inline constexpr std::size_t kMaxItemStringBytes = 4096;  // cmdline is capped at 4 KiB
inline constexpr std::size_t kMaxItemListEntries = 4096;  // group members, addresses

/// True for a name in kSections.
bool is_section(std::string_view name);

/// Checks one item of `section` against the section's schema: every field present with its type
/// (strings within kMaxItemStringBytes and without NUL, integers >= 0, key fields non-empty), no
/// other field.
/// kInvalidArgument naming the field ("version: must be a string"), prefixed with `path`.
Status validate_item(std::string_view section, const boost::json::object& item,
                     std::string_view path = {});

/// The stable key of an item, which identifies it across collections: packages "name:arch",
/// listening "tcp 0.0.0.0:22" / "udp [::1]:53", processes "pid@start_time", users/groups/interfaces
/// the name, disks the mount point, sessions "user tty login_time", system "system".
/// kInvalidArgument naming the field when a key field is missing or of the wrong type.
Result<std::string> section_key(std::string_view section, const boost::json::object& item);

/// A section's items by key.
using KeyedItems = std::map<std::string, boost::json::object, std::less<>>;

/// Validates every item of `items` (which must all be objects) and indexes them by key;
/// kInvalidArgument for an invalid item or a duplicate key, naming `path`[i].
Result<KeyedItems> key_items(std::string_view section, const boost::json::array& items,
                             std::string_view path = "items");

/// One difference between two states of a section.
struct ItemChange {
  enum class Kind { kAdded, kRemoved, kChanged };
  Kind kind = Kind::kAdded;
  std::string key;
  std::optional<boost::json::object> before;  // kRemoved, kChanged
  std::optional<boost::json::object> after;   // kAdded, kChanged
};

/// "added", "removed", "changed".
std::string_view to_string(ItemChange::Kind kind);

/// The changes that turn `before` into `after`, in key order. An item whose key is in both but
/// whose content differs (in any field) is kChanged.
std::vector<ItemChange> diff_items(const KeyedItems& before, const KeyedItems& after);

/// diff_items() of two item lists as the JSON the agent sends in an inventory.delta:
/// {"added":[item],"removed":[item],"changed":[{"before":item,"after":item}]}.
Result<boost::json::object> diff_section(std::string_view section, const boost::json::array& before,
                                         const boost::json::array& after);

}  // namespace sentinel::inventory
