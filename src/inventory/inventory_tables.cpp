#include "inventory_tables.h"

#include <fmt/format.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace sentinel::inventory {
namespace {

using store::Params;
using store::Value;

std::string text_field(const boost::json::object& item, std::string_view field) {
  const boost::json::value* value = item.if_contains(field);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

Value nullable_text(const boost::json::object& item, std::string_view field) {
  const boost::json::value* value = item.if_contains(field);
  if (value == nullptr || !value->is_string()) return nullptr;
  return std::string(value->get_string());
}

std::int64_t integer_field(const boost::json::object& item, std::string_view field) {
  const boost::json::value* value = item.if_contains(field);
  return value != nullptr && value->is_int64() ? value->get_int64() : 0;
}

Value json_or_null(const std::optional<boost::json::object>& item) {
  if (!item) return nullptr;
  return boost::json::serialize(*item);
}

}  // namespace

Result<boost::json::object> stored_item(std::string_view json) {
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(json, error);
  if (error || !value.is_object()) return internal_error("inventory: a stored item is not JSON");
  return std::move(value.get_object());
}

Result<SectionState> InventoryTables::load_state() {
  SENTINEL_ASSIGN(rows,
                  connection_.query("SELECT has_state, snapshot_parts, snapshot_received "
                                    "FROM inventory_sections WHERE agent_id = $1 AND section = $2",
                                    {agent_id_, section_}));
  if (rows.empty()) return SectionState{};
  return SectionState{true, rows[0].integer(0) != 0, rows[0].integer(1), rows[0].integer(2)};
}

Status InventoryTables::save_state(const SectionState& state, std::int64_t now_ms) {
  SENTINEL_TRY(connection_.execute(
      "INSERT INTO inventory_sections "
      "(agent_id, section, has_state, snapshot_parts, snapshot_received, updated_at) "
      "VALUES ($1, $2, $3, $4, $5, $6) "
      "ON CONFLICT (agent_id, section) DO UPDATE SET has_state = excluded.has_state, "
      "snapshot_parts = excluded.snapshot_parts, "
      "snapshot_received = excluded.snapshot_received, updated_at = excluded.updated_at",
      {agent_id_, section_, std::int64_t{state.has_state ? 1 : 0}, state.snapshot_parts,
       state.snapshot_received, now_ms}));
  return ok();
}

Result<KeyedItems> InventoryTables::load_items() {
  SENTINEL_ASSIGN(rows, connection_.query("SELECT item_key, item FROM inventory_items "
                                          "WHERE agent_id = $1 AND section = $2",
                                          {agent_id_, section_}));
  KeyedItems items;
  for (const store::Row& row : rows) {
    SENTINEL_ASSIGN(item, stored_item(row.text(1)));
    items.emplace(row.text(0), std::move(item));
  }
  return items;
}

Result<std::optional<boost::json::object>> InventoryTables::load_item(std::string_view key) {
  SENTINEL_ASSIGN(rows, connection_.query("SELECT item FROM inventory_items "
                                          "WHERE agent_id = $1 AND section = $2 AND item_key = $3",
                                          {agent_id_, section_, std::string(key)}));
  if (rows.empty()) return std::optional<boost::json::object>();
  SENTINEL_ASSIGN(item, stored_item(rows[0].text(0)));
  return std::optional<boost::json::object>(std::move(item));
}

Status InventoryTables::insert_columns(const std::string& key, const boost::json::object& item) {
  if (section_ == "packages") {
    SENTINEL_TRY(connection_.execute(
        "INSERT INTO inventory_packages (agent_id, item_key, name, version, arch, source) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        {agent_id_, key, text_field(item, "name"), text_field(item, "version"),
         text_field(item, "arch"), text_field(item, "source")}));
  } else if (section_ == "listening") {
    SENTINEL_TRY(connection_.execute(
        "INSERT INTO inventory_listening (agent_id, item_key, protocol, address, port, process) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        {agent_id_, key, text_field(item, "protocol"), text_field(item, "address"),
         integer_field(item, "port"), nullable_text(item, "process")}));
  }
  return ok();
}

Status InventoryTables::delete_columns(const std::string& key) {
  if (section_ == "packages") {
    SENTINEL_TRY(connection_.execute(
        "DELETE FROM inventory_packages WHERE agent_id = $1 AND item_key = $2", {agent_id_, key}));
  } else if (section_ == "listening") {
    SENTINEL_TRY(connection_.execute(
        "DELETE FROM inventory_listening WHERE agent_id = $1 AND item_key = $2", {agent_id_, key}));
  }
  return ok();
}

Status InventoryTables::apply_changes(const std::vector<ItemChange>& changes) {
  for (const ItemChange& change : changes) {
    switch (change.kind) {
      case ItemChange::Kind::kAdded:
        SENTINEL_TRY(connection_.execute(
            "INSERT INTO inventory_items (agent_id, section, item_key, item) "
            "VALUES ($1, $2, $3, $4)",
            {agent_id_, section_, change.key, boost::json::serialize(*change.after)}));
        SENTINEL_TRY(insert_columns(change.key, *change.after));
        break;
      case ItemChange::Kind::kRemoved:
        SENTINEL_TRY(connection_.execute(
            "DELETE FROM inventory_items WHERE agent_id = $1 AND section = $2 AND item_key = $3",
            {agent_id_, section_, change.key}));
        SENTINEL_TRY(delete_columns(change.key));
        break;
      case ItemChange::Kind::kChanged:
        SENTINEL_TRY(connection_.execute(
            "UPDATE inventory_items SET item = $4 "
            "WHERE agent_id = $1 AND section = $2 AND item_key = $3",
            {agent_id_, section_, change.key, boost::json::serialize(*change.after)}));
        SENTINEL_TRY(delete_columns(change.key));
        SENTINEL_TRY(insert_columns(change.key, *change.after));
        break;
    }
  }
  return ok();
}

Status InventoryTables::stage(const KeyedItems& items) {
  for (const auto& [key, item] : items) {
    auto inserted = connection_.execute(
        "INSERT INTO inventory_staged_items (agent_id, section, item_key, item) "
        "VALUES ($1, $2, $3, $4)",
        {agent_id_, section_, key, boost::json::serialize(item)});
    if (!inserted) {
      if (inserted.error().code != ErrorCode::kConflict) return std::move(inserted).error();
      return invalid_argument(
          fmt::format("items: item '{}' was already sent in an earlier part", key), "items");
    }
  }
  return ok();
}

Result<KeyedItems> InventoryTables::take_staged() {
  SENTINEL_ASSIGN(rows, connection_.query("SELECT item_key, item FROM inventory_staged_items "
                                          "WHERE agent_id = $1 AND section = $2",
                                          {agent_id_, section_}));
  KeyedItems items;
  for (const store::Row& row : rows) {
    SENTINEL_ASSIGN(item, stored_item(row.text(1)));
    items.emplace(row.text(0), std::move(item));
  }
  SENTINEL_TRY(clear_staged());
  return items;
}

Status InventoryTables::clear_staged() {
  SENTINEL_TRY(
      connection_.execute("DELETE FROM inventory_staged_items WHERE agent_id = $1 AND section = $2",
                          {agent_id_, section_}));
  return ok();
}

Status InventoryTables::record_changes(const std::vector<ItemChange>& changes, std::int64_t time_ms,
                                       std::int64_t received_ms) {
  for (const ItemChange& change : changes) {
    SENTINEL_TRY(connection_.execute(
        "INSERT INTO inventory_changes "
        "(agent_id, time_ms, received_ms, section, kind, item_key, before_item, after_item) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        {agent_id_, time_ms, received_ms, section_, std::string(to_string(change.kind)), change.key,
         json_or_null(change.before), json_or_null(change.after)}));
  }
  return ok();
}

Status delete_agent_inventory(store::Connection& connection, const std::string& agent_id) {
  for (const std::string_view table :
       {"inventory_sections", "inventory_items", "inventory_staged_items", "inventory_packages",
        "inventory_listening", "inventory_changes"}) {
    SENTINEL_TRY(
        connection.execute(fmt::format("DELETE FROM {} WHERE agent_id = $1", table), {agent_id}));
  }
  return ok();
}

}  // namespace sentinel::inventory
