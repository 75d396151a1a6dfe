#pragma once
// The SQL of the inventory tables (migration 0004_inventory.sql) on one connection: the section
// bookkeeping, current items with their packages/listening columns, staged snapshot parts and
// the change history. Portable SQL for SQLite and PostgreSQL; used inside the caller's
// transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/inventory/sections.h"
#include "sentinel/store/database.h"

namespace sentinel::inventory {

/// The row of inventory_sections; `exists` false when the agent never reported the section.
struct SectionState {
  bool exists = false;
  bool has_state = false;
  std::int64_t snapshot_parts = 0;
  std::int64_t snapshot_received = 0;
};

/// Table access for one agent and section. Not thread-safe (one connection).
class InventoryTables {
 public:
  InventoryTables(store::Connection& connection, std::string agent_id, std::string section)
      : connection_(connection), agent_id_(std::move(agent_id)), section_(std::move(section)) {}

  Result<SectionState> load_state();
  Status save_state(const SectionState& state, std::int64_t now_ms);

  /// Every current item, by key.
  Result<KeyedItems> load_items();
  /// One current item, or nullopt.
  Result<std::optional<boost::json::object>> load_item(std::string_view key);
  /// Writes `changes` to the current items (and the packages/listening columns).
  Status apply_changes(const std::vector<ItemChange>& changes);

  /// Adds items of a snapshot part; a key already staged is kInvalidArgument.
  Status stage(const KeyedItems& items);
  /// Every staged item, which are then deleted.
  Result<KeyedItems> take_staged();
  Status clear_staged();

  /// Appends `changes` to inventory_changes.
  Status record_changes(const std::vector<ItemChange>& changes, std::int64_t time_ms,
                        std::int64_t received_ms);

 private:
  Status insert_columns(const std::string& key, const boost::json::object& item);
  Status delete_columns(const std::string& key);

  store::Connection& connection_;
  std::string agent_id_;
  std::string section_;
};

/// Deletes every inventory row of `agent_id`.
Status delete_agent_inventory(store::Connection& connection, const std::string& agent_id);

/// Parses an item stored as JSON text; kInternal when the database holds something else.
Result<boost::json::object> stored_item(std::string_view json);

}  // namespace sentinel::inventory
