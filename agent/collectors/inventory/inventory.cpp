#include "agent/collectors/inventory/inventory.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "agent/collectors/inventory/collectors.h"

namespace sentinel::agent::inventory {
namespace {

using Collector = Result<boost::json::array> (*)(const SystemRoots&);

Collector collector_of(std::string_view name) {
  static const std::map<std::string_view, Collector, std::less<>> collectors = {
      {"system", collect_system},       {"interfaces", collect_interfaces},
      {"disks", collect_disks},         {"packages", collect_packages},
      {"processes", collect_processes}, {"listening", collect_listening},
      {"users", collect_users},         {"groups", collect_groups},
      {"sessions", collect_sessions},
  };
  const auto it = collectors.find(name);
  return it == collectors.end() ? nullptr : it->second;
}

// Valid items in key order, one per key: stable output makes the agent's state files and the
// server's diffs cheap, and the server refuses invalid items and duplicate keys.
Result<boost::json::array> keyed_and_sorted(std::string_view section, boost::json::array items) {
  std::vector<std::pair<std::string, boost::json::object>> keyed;
  keyed.reserve(items.size());
  std::set<std::string, std::less<>> seen;
  for (boost::json::value& item : items) {
    // An item the server would refuse would block the whole section: leave it out instead.
    if (!item.is_object() || !sentinel::inventory::validate_item(section, item.get_object())) {
      continue;
    }
    SENTINEL_ASSIGN(key, section_key(section, item.get_object()));
    if (!seen.insert(key).second) continue;
    keyed.emplace_back(std::move(key), std::move(item.get_object()));
  }
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  boost::json::array sorted;
  sorted.reserve(keyed.size());
  for (auto& [key, item] : keyed) sorted.emplace_back(std::move(item));
  return sorted;
}

}  // namespace

Result<boost::json::array> collect_section(std::string_view name, const SystemRoots& roots) {
  const Collector collector = collector_of(name);
  if (collector == nullptr) {
    return invalid_argument("section: unknown inventory section '" + std::string(name) + "'",
                            "section");
  }
  SENTINEL_ASSIGN(items, collector(roots));
  return keyed_and_sorted(name, std::move(items));
}

Snapshot collect_all(const SystemRoots& roots) {
  Snapshot snapshot;
  for (const std::string_view name : kSections) {
    auto items = collect_section(name, roots);
    if (items) {
      snapshot.sections.emplace(std::string(name), std::move(*items));
    } else {
      snapshot.errors.emplace(std::string(name), items.error().message);
    }
  }
  return snapshot;
}

boost::json::object to_json(const Snapshot& snapshot) {
  boost::json::object sections;
  for (const auto& [name, items] : snapshot.sections) sections[name] = items;
  boost::json::object errors;
  for (const auto& [name, message] : snapshot.errors) errors[name] = message;
  return {{"sections", std::move(sections)}, {"errors", std::move(errors)}};
}

Result<Snapshot> snapshot_from_json(const boost::json::value& json) {
  const boost::json::object* root = json.if_object();
  if (root == nullptr) return invalid_argument("snapshot: must be an object");
  for (const auto& entry : *root) {
    if (entry.key() != "sections" && entry.key() != "errors") {
      return invalid_argument("snapshot: unknown field '" + std::string(entry.key()) + "'",
                              std::string(entry.key()));
    }
  }
  const boost::json::value* sections = root->if_contains("sections");
  const boost::json::value* errors = root->if_contains("errors");
  if (sections == nullptr || !sections->is_object()) {
    return invalid_argument("sections: must be an object", "sections");
  }
  if (errors == nullptr || !errors->is_object()) {
    return invalid_argument("errors: must be an object", "errors");
  }
  Snapshot snapshot;
  for (const auto& [name, items] : sections->get_object()) {
    const std::string path = "sections." + std::string(name);
    if (!items.is_array()) return invalid_argument(path + ": must be an array", path);
    SENTINEL_TRY(sentinel::inventory::key_items(name, items.get_array(), path));
    snapshot.sections.emplace(std::string(name), items.get_array());
  }
  for (const auto& [name, message] : errors->get_object()) {
    const std::string path = "errors." + std::string(name);
    if (!sentinel::inventory::is_section(name)) {
      return invalid_argument(path + ": unknown inventory section", path);
    }
    if (!message.is_string()) return invalid_argument(path + ": must be a string", path);
    snapshot.errors.emplace(std::string(name), std::string(message.get_string()));
  }
  return snapshot;
}

}  // namespace sentinel::agent::inventory
