#include "sentinel/inventory/sections.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <limits>

namespace sentinel::inventory {
namespace {

enum class FieldType { kString, kInteger, kBool, kStringList, kIntegerOrNull, kStringOrNull };

struct FieldSpec {
  std::string_view name;
  FieldType type;
  bool non_empty = false;  // key fields: an empty string is no identity
  std::int64_t max = std::numeric_limits<std::int64_t>::max();
  std::vector<std::string_view> allowed = {};  // closed vocabularies ("dpkg", "rpm")
};

using Schema = std::vector<FieldSpec>;

constexpr std::int64_t kMaxPort = 65535;

const Schema* schema_of(std::string_view section) {
  using T = FieldType;
  static const std::map<std::string_view, Schema, std::less<>> schemas = {
      {"system",
       {{"hostname", T::kString},
        {"os_name", T::kString},
        {"os_version", T::kString},
        {"os_id", T::kString},
        {"os_pretty_name", T::kString},
        {"kernel", T::kString},
        {"arch", T::kString},
        {"cpu_model", T::kString},
        {"cpu_cores", T::kInteger},
        {"memory_bytes", T::kInteger},
        {"boot_time", T::kInteger}}},
      {"interfaces",
       {{"name", T::kString, true},
        {"mac", T::kString},
        {"mtu", T::kInteger},
        {"up", T::kBool},
        {"addresses", T::kStringList}}},
      {"disks",
       {{"mount_point", T::kString, true},
        {"device", T::kString},
        {"fs_type", T::kString},
        {"total_bytes", T::kInteger},
        {"free_bytes", T::kInteger}}},
      {"packages",
       {{"name", T::kString, true},
        {"version", T::kString},
        {"arch", T::kString},
        {"source", T::kString, true, std::numeric_limits<std::int64_t>::max(), {"dpkg", "rpm"}}}},
      {"processes",
       {{"pid", T::kInteger},
        {"ppid", T::kInteger},
        {"uid", T::kInteger},
        {"user", T::kString},
        {"name", T::kString},
        {"cmdline", T::kString},
        {"start_time", T::kInteger}}},
      {"listening",
       {{"protocol", T::kString, true, std::numeric_limits<std::int64_t>::max(), {"tcp", "udp"}},
        {"address", T::kString, true},
        {"port", T::kInteger, false, kMaxPort},
        {"pid", T::kIntegerOrNull},
        {"process", T::kStringOrNull},
        {"uid", T::kInteger},
        {"user", T::kString}}},
      {"users",
       {{"name", T::kString, true},
        {"uid", T::kInteger},
        {"gid", T::kInteger},
        {"home", T::kString},
        {"shell", T::kString}}},
      {"groups", {{"name", T::kString, true}, {"gid", T::kInteger}, {"members", T::kStringList}}},
      {"sessions",
       {{"user", T::kString, true},
        {"tty", T::kString},
        {"host", T::kString},
        {"login_time", T::kInteger},
        {"pid", T::kInteger}}},
  };
  const auto it = schemas.find(section);
  return it == schemas.end() ? nullptr : &it->second;
}

std::string field_path(std::string_view path, std::string_view field) {
  return path.empty() ? std::string(field) : fmt::format("{}.{}", path, field);
}

Error field_error(std::string_view path, std::string_view field, std::string_view problem) {
  std::string name = field_path(path, field);
  std::string message = fmt::format("{}: {}", name, problem);
  return invalid_argument(std::move(message), std::move(name));
}

Status check_string(std::string_view text, const FieldSpec& spec, std::string_view path) {
  if (text.size() > kMaxItemStringBytes) {
    return field_error(path, spec.name, fmt::format("longer than {} bytes", kMaxItemStringBytes));
  }
  if (spec.non_empty && text.empty()) return field_error(path, spec.name, "must not be empty");
  // PostgreSQL text cannot hold NUL; an item it cannot store would block the agent's ingest.
  if (text.find('\0') != std::string_view::npos) {
    return field_error(path, spec.name, "must not contain NUL characters");
  }
  if (!spec.allowed.empty() &&
      std::find(spec.allowed.begin(), spec.allowed.end(), text) == spec.allowed.end()) {
    return field_error(path, spec.name,
                       fmt::format("must be one of {}", fmt::join(spec.allowed, ", ")));
  }
  return ok();
}

Status check_integer(const boost::json::value& value, const FieldSpec& spec,
                     std::string_view path) {
  if (!value.is_int64() && !value.is_uint64()) {
    return field_error(path, spec.name, "must be an integer");
  }
  if (value.is_uint64() || value.get_int64() < 0 || value.get_int64() > spec.max) {
    return field_error(path, spec.name, fmt::format("must be between 0 and {}", spec.max));
  }
  return ok();
}

Status check_field(const boost::json::value& value, const FieldSpec& spec, std::string_view path) {
  switch (spec.type) {
    case FieldType::kStringOrNull:
      if (value.is_null()) return ok();
      [[fallthrough]];
    case FieldType::kString:
      if (!value.is_string()) return field_error(path, spec.name, "must be a string");
      return check_string(value.get_string(), spec, path);
    case FieldType::kIntegerOrNull:
      if (value.is_null()) return ok();
      [[fallthrough]];
    case FieldType::kInteger:
      return check_integer(value, spec, path);
    case FieldType::kBool:
      if (!value.is_bool()) return field_error(path, spec.name, "must be true or false");
      return ok();
    case FieldType::kStringList: {
      if (!value.is_array()) return field_error(path, spec.name, "must be an array of strings");
      const boost::json::array& list = value.get_array();
      if (list.size() > kMaxItemListEntries) {
        return field_error(path, spec.name,
                           fmt::format("more than {} entries", kMaxItemListEntries));
      }
      for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string entry_name = fmt::format("{}[{}]", spec.name, i);
        const FieldSpec entry{entry_name, FieldType::kString};
        if (!list[i].is_string()) return field_error(path, entry.name, "must be a string");
        SENTINEL_TRY(check_string(list[i].get_string(), entry, path));
      }
      return ok();
    }
  }
  return ok();
}

Error unknown_section(std::string_view section) {
  return invalid_argument(fmt::format("section: unknown inventory section '{}'", section),
                          "section");
}

// Strings of key fields, read after validation (or defensively, when only the key is wanted).
Result<std::string_view> key_string(const boost::json::object& item, std::string_view field) {
  const boost::json::value* value = item.if_contains(field);
  if (value == nullptr) return field_error({}, field, "is required");
  if (!value->is_string()) return field_error({}, field, "must be a string");
  return std::string_view(value->get_string());
}

Result<std::int64_t> key_integer(const boost::json::object& item, std::string_view field) {
  const boost::json::value* value = item.if_contains(field);
  if (value == nullptr) return field_error({}, field, "is required");
  if (!value->is_int64()) return field_error({}, field, "must be an integer");
  return value->get_int64();
}

// "0.0.0.0:22", "[::1]:53": brackets keep the port apart from an IPv6 address.
std::string host_port(std::string_view address, std::int64_t port) {
  if (address.find(':') != std::string_view::npos) return fmt::format("[{}]:{}", address, port);
  return fmt::format("{}:{}", address, port);
}

boost::json::array to_array(const std::vector<boost::json::object>& items) {
  boost::json::array out;
  out.reserve(items.size());
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

}  // namespace

bool is_section(std::string_view name) {
  return std::find(kSections.begin(), kSections.end(), name) != kSections.end();
}

Status validate_item(std::string_view section, const boost::json::object& item,
                     std::string_view path) {
  const Schema* schema = schema_of(section);
  if (schema == nullptr) return unknown_section(section);
  for (const FieldSpec& spec : *schema) {
    const boost::json::value* value = item.if_contains(spec.name);
    if (value == nullptr) return field_error(path, spec.name, "is required");
    SENTINEL_TRY(check_field(*value, spec, path));
  }
  for (const auto& entry : item) {
    const bool known = std::any_of(schema->begin(), schema->end(),
                                   [&](const FieldSpec& spec) { return spec.name == entry.key(); });
    if (!known) {
      return field_error(path, entry.key(), fmt::format("unknown field in a {} item", section));
    }
  }
  return ok();
}

Result<std::string> section_key(std::string_view section, const boost::json::object& item) {
  if (section == "system") return std::string("system");
  if (section == "packages") {
    SENTINEL_ASSIGN(name, key_string(item, "name"));
    SENTINEL_ASSIGN(arch, key_string(item, "arch"));
    return fmt::format("{}:{}", name, arch);
  }
  if (section == "listening") {
    SENTINEL_ASSIGN(protocol, key_string(item, "protocol"));
    SENTINEL_ASSIGN(address, key_string(item, "address"));
    SENTINEL_ASSIGN(port, key_integer(item, "port"));
    return fmt::format("{} {}", protocol, host_port(address, port));
  }
  if (section == "processes") {
    SENTINEL_ASSIGN(pid, key_integer(item, "pid"));
    SENTINEL_ASSIGN(start, key_integer(item, "start_time"));
    return fmt::format("{}@{}", pid, start);
  }
  if (section == "sessions") {
    SENTINEL_ASSIGN(user, key_string(item, "user"));
    SENTINEL_ASSIGN(tty, key_string(item, "tty"));
    SENTINEL_ASSIGN(login, key_integer(item, "login_time"));
    return fmt::format("{} {} {}", user, tty, login);
  }
  if (section == "disks") {
    SENTINEL_ASSIGN(mount_point, key_string(item, "mount_point"));
    return std::string(mount_point);
  }
  if (section == "users" || section == "groups" || section == "interfaces") {
    SENTINEL_ASSIGN(name, key_string(item, "name"));
    return std::string(name);
  }
  return unknown_section(section);
}

Result<KeyedItems> key_items(std::string_view section, const boost::json::array& items,
                             std::string_view path) {
  if (!is_section(section)) return unknown_section(section);
  KeyedItems keyed;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string item_path = fmt::format("{}[{}]", path, i);
    if (!items[i].is_object()) {
      return invalid_argument(fmt::format("{}: must be an object", item_path), item_path);
    }
    const boost::json::object& item = items[i].get_object();
    SENTINEL_TRY(validate_item(section, item, item_path));
    SENTINEL_ASSIGN(key, section_key(section, item));
    if (keyed.contains(key)) {
      return invalid_argument(fmt::format("{}: duplicate item '{}'", item_path, key), item_path);
    }
    keyed.emplace(std::move(key), item);
  }
  return keyed;
}

std::string_view to_string(ItemChange::Kind kind) {
  switch (kind) {
    case ItemChange::Kind::kAdded:
      return "added";
    case ItemChange::Kind::kRemoved:
      return "removed";
    case ItemChange::Kind::kChanged:
      return "changed";
  }
  return "changed";
}

std::vector<ItemChange> diff_items(const KeyedItems& before, const KeyedItems& after) {
  std::vector<ItemChange> changes;
  auto old_it = before.begin();
  auto new_it = after.begin();
  // Both maps are ordered by key: one merge pass.
  while (old_it != before.end() || new_it != after.end()) {
    if (new_it == after.end() || (old_it != before.end() && old_it->first < new_it->first)) {
      changes.push_back({ItemChange::Kind::kRemoved, old_it->first, old_it->second, std::nullopt});
      ++old_it;
    } else if (old_it == before.end() || new_it->first < old_it->first) {
      changes.push_back({ItemChange::Kind::kAdded, new_it->first, std::nullopt, new_it->second});
      ++new_it;
    } else {
      if (old_it->second != new_it->second) {
        changes.push_back(
            {ItemChange::Kind::kChanged, old_it->first, old_it->second, new_it->second});
      }
      ++old_it;
      ++new_it;
    }
  }
  return changes;
}

Result<boost::json::object> diff_section(std::string_view section, const boost::json::array& before,
                                         const boost::json::array& after) {
  SENTINEL_ASSIGN(old_items, key_items(section, before, "before"));
  SENTINEL_ASSIGN(new_items, key_items(section, after, "after"));
  std::vector<boost::json::object> added;
  std::vector<boost::json::object> removed;
  boost::json::array changed;
  for (ItemChange& change : diff_items(old_items, new_items)) {
    switch (change.kind) {
      case ItemChange::Kind::kAdded:
        added.push_back(std::move(*change.after));
        break;
      case ItemChange::Kind::kRemoved:
        removed.push_back(std::move(*change.before));
        break;
      case ItemChange::Kind::kChanged:
        changed.emplace_back(boost::json::object{{"before", std::move(*change.before)},
                                                 {"after", std::move(*change.after)}});
        break;
    }
  }
  return boost::json::object{
      {"added", to_array(added)}, {"removed", to_array(removed)}, {"changed", std::move(changed)}};
}

}  // namespace sentinel::inventory
