#include "inventory_event.h"

#include <fmt/format.h>

#include <initializer_list>
#include <string_view>

namespace sentinel::inventory {
namespace {

Error field_error(std::string_view field, std::string_view problem) {
  return invalid_argument(fmt::format("{}: {}", field, problem), std::string(field));
}

Status exact_fields(const boost::json::object& data,
                    std::initializer_list<std::string_view> fields) {
  for (const auto& entry : data) {
    bool known = false;
    for (std::string_view field : fields) known = known || entry.key() == field;
    if (!known) return field_error(entry.key(), "unknown field");
  }
  for (std::string_view field : fields) {
    if (!data.contains(field)) return field_error(field, "is required");
  }
  return ok();
}

Result<std::string> section_of(const boost::json::object& data) {
  const boost::json::value& value = data.at("section");
  if (!value.is_string()) return field_error("section", "must be a string");
  if (!is_section(value.get_string())) {
    return field_error("section", fmt::format("unknown inventory section '{}'",
                                              std::string_view(value.get_string())));
  }
  return std::string(value.get_string());
}

Result<const boost::json::array*> array_of(const boost::json::object& data,
                                           std::string_view field) {
  const boost::json::value& value = data.at(field);
  if (!value.is_array()) return field_error(field, "must be an array");
  return &value.get_array();
}

Result<std::int64_t> part_number(const boost::json::object& data, std::string_view field) {
  const boost::json::value& value = data.at(field);
  if (!value.is_int64() || value.get_int64() < 1 || value.get_int64() > kMaxSnapshotParts) {
    return field_error(field, fmt::format("must be an integer from 1 to {}", kMaxSnapshotParts));
  }
  return value.get_int64();
}

}  // namespace

Result<SnapshotPart> parse_snapshot_part(const boost::json::object& data) {
  SENTINEL_TRY(exact_fields(data, {"section", "items", "part", "parts"}));
  SnapshotPart snapshot;
  SENTINEL_ASSIGN(section, section_of(data));
  SENTINEL_ASSIGN(items, array_of(data, "items"));
  SENTINEL_ASSIGN(part, part_number(data, "part"));
  SENTINEL_ASSIGN(parts, part_number(data, "parts"));
  if (part > parts) return field_error("part", fmt::format("must not exceed parts ({})", parts));
  SENTINEL_ASSIGN(keyed, key_items(section, *items, "items"));
  snapshot.section = std::move(section);
  snapshot.items = std::move(keyed);
  snapshot.part = part;
  snapshot.parts = parts;
  return snapshot;
}

Result<SectionDelta> parse_section_delta(const boost::json::object& data) {
  SENTINEL_TRY(exact_fields(data, {"section", "added", "removed", "changed"}));
  SectionDelta delta;
  SENTINEL_ASSIGN(section, section_of(data));
  SENTINEL_ASSIGN(added, array_of(data, "added"));
  SENTINEL_ASSIGN(removed, array_of(data, "removed"));
  SENTINEL_ASSIGN(changed, array_of(data, "changed"));
  SENTINEL_ASSIGN(added_items, key_items(section, *added, "added"));
  SENTINEL_ASSIGN(removed_items, key_items(section, *removed, "removed"));
  delta.added = std::move(added_items);
  delta.removed = std::move(removed_items);

  for (std::size_t i = 0; i < changed->size(); ++i) {
    const std::string path = fmt::format("changed[{}]", i);
    const boost::json::value& entry = (*changed)[i];
    if (!entry.is_object()) return field_error(path, "must be an object");
    const boost::json::object& pair = entry.get_object();
    for (const auto& field : pair) {
      if (field.key() != "before" && field.key() != "after") {
        return field_error(fmt::format("{}.{}", path, std::string_view(field.key())),
                           "unknown field");
      }
    }
    std::string keys[2];
    const boost::json::object* after = nullptr;
    for (int side = 0; side < 2; ++side) {
      const std::string_view name = side == 0 ? "before" : "after";
      const std::string side_path = fmt::format("{}.{}", path, name);
      const boost::json::value* item = pair.if_contains(name);
      if (item == nullptr) return field_error(side_path, "is required");
      if (!item->is_object()) return field_error(side_path, "must be an object");
      SENTINEL_TRY(validate_item(section, item->get_object(), side_path));
      SENTINEL_ASSIGN(key, section_key(section, item->get_object()));
      keys[side] = std::move(key);
      after = &item->get_object();
    }
    if (keys[0] != keys[1]) {
      return field_error(fmt::format("{}.after", path),
                         fmt::format("key '{}' differs from before's '{}'", keys[1], keys[0]));
    }
    if (delta.changed.contains(keys[1])) {
      return field_error(path, fmt::format("duplicate item '{}'", keys[1]));
    }
    delta.changed.emplace(keys[1], *after);
  }

  // A key in two lists would make the outcome depend on the order of application.
  const auto overlap = [](const KeyedItems& a, const KeyedItems& b) -> const std::string* {
    for (const auto& [key, item] : a) {
      if (b.contains(key)) return &key;
    }
    return nullptr;
  };
  if (const std::string* key = overlap(delta.added, delta.removed)) {
    return field_error("removed", fmt::format("item '{}' is also in added", *key));
  }
  if (const std::string* key = overlap(delta.added, delta.changed)) {
    return field_error("changed", fmt::format("item '{}' is also in added", *key));
  }
  if (const std::string* key = overlap(delta.removed, delta.changed)) {
    return field_error("changed", fmt::format("item '{}' is also in removed", *key));
  }
  delta.section = std::move(section);
  return delta;
}

}  // namespace sentinel::inventory
