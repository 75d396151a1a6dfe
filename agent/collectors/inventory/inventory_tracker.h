#pragma once
// Turns successive inventory Snapshots into the events the agent spools: a full snapshot of a
// section the first time (or when asked, or when the remembered state is lost), afterwards only
// what changed. Remembers what it last reported in one file per section, written atomically.

#include <boost/json/object.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "agent/collectors/inventory/inventory.h"
#include "sentinel/common/result.h"

namespace sentinel::agent::inventory {

/// An event for the spool: `type` "inventory.snapshot" or "inventory.delta", `data` its object.
struct PendingEvent {
  std::string type;
  boost::json::object data;
};

/// Not thread-safe: one owner (the agent's inventory loop). Movable.
class InventoryTracker {
 public:
  /// Uses `directory` for its state files (<section>.json, mode 0600), creating it (mode 0700)
  /// when missing.
  static Result<InventoryTracker> open(std::filesystem::path directory);

  /// The events that report `current`: for each section of it, an inventory.snapshot in parts
  /// (each event's serialised data under protocol::kMaxEventBytes) when `full`, when no state is
  /// remembered or it is unreadable, or when the delta would not fit one event; otherwise one
  /// inventory.delta if the section changed, nothing if not. Sections absent from `current`
  /// (collection failed) are left alone. Nothing is remembered until commit().
  Result<std::vector<PendingEvent>> next_events(const Snapshot& current, bool full);

  /// Remembers the state of the last next_events() as reported; call it once its events are
  /// durably spooled. Without it the next call reports the same changes again.
  Status commit();

 private:
  explicit InventoryTracker(std::filesystem::path directory) : directory_(std::move(directory)) {}

  std::filesystem::path state_file(std::string_view section) const;

  std::filesystem::path directory_;
  /// Section -> items to remember at commit().
  std::map<std::string, boost::json::array, std::less<>> pending_;
};

/// The inventory.snapshot events of one section: items split into parts so that each event's
/// serialised data stays under `max_event_bytes`; at least one (empty) part. kInvalidArgument
/// when a single item cannot fit.
Result<std::vector<PendingEvent>> snapshot_events(std::string_view section,
                                                  const boost::json::array& items,
                                                  std::size_t max_event_bytes);

}  // namespace sentinel::agent::inventory
