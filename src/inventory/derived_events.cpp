#include "derived_events.h"

#include <algorithm>
#include <set>
#include <string>

#include "sentinel/inventory/version_compare.h"

namespace sentinel::inventory {
namespace {

using Kind = ItemChange::Kind;

boost::json::value field(const boost::json::object& item, std::string_view name) {
  const boost::json::value* value = item.if_contains(name);
  return value == nullptr ? boost::json::value(nullptr) : *value;
}

// `item` restricted to `names`.
boost::json::object pick(const boost::json::object& item,
                         std::initializer_list<std::string_view> names) {
  boost::json::object out;
  for (std::string_view name : names) out[name] = field(item, name);
  return out;
}

std::string text(const boost::json::object& item, std::string_view name) {
  const boost::json::value* value = item.if_contains(name);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

void package_events(const ItemChange& change, std::vector<DerivedEvent>& events) {
  const std::initializer_list<std::string_view> kFields = {"name", "version", "arch", "source"};
  switch (change.kind) {
    case Kind::kAdded:
      events.push_back({"package.installed", pick(*change.after, kFields)});
      return;
    case Kind::kRemoved:
      events.push_back({"package.removed", pick(*change.before, kFields)});
      return;
    case Kind::kChanged: {
      const std::string from = text(*change.before, "version");
      const std::string to = text(*change.after, "version");
      const VersionComparator compare = comparator_for_source(text(*change.after, "source"));
      const int order = compare != nullptr ? compare(from, to) : from.compare(to);
      if (order == 0) return;  // "1.0" and "1.0-0" are the same version to dpkg
      boost::json::object data = pick(*change.after, {"name", "arch", "source"});
      data["from"] = from;
      data["to"] = to;
      events.push_back({order < 0 ? "package.upgraded" : "package.downgraded", std::move(data)});
      return;
    }
  }
}

void port_events(const ItemChange& change, std::vector<DerivedEvent>& events) {
  const std::initializer_list<std::string_view> kFields = {"protocol", "address", "port",
                                                           "pid",      "process", "user"};
  if (change.kind == Kind::kAdded) events.push_back({"port.opened", pick(*change.after, kFields)});
  if (change.kind == Kind::kRemoved) {
    events.push_back({"port.closed", pick(*change.before, kFields)});
  }
}

void user_events(const ItemChange& change, std::vector<DerivedEvent>& events) {
  const std::initializer_list<std::string_view> kFields = {"name", "uid", "gid", "home", "shell"};
  switch (change.kind) {
    case Kind::kAdded:
      events.push_back({"user.created", pick(*change.after, kFields)});
      return;
    case Kind::kRemoved:
      events.push_back({"user.deleted", pick(*change.before, kFields)});
      return;
    case Kind::kChanged:
      // A changed uid, home or shell is how accounts get backdoored (uid 0, a shell on a
      // service account).
      events.push_back({"user.changed",
                        {{"name", field(*change.after, "name")},
                         {"before", pick(*change.before, kFields)},
                         {"after", pick(*change.after, kFields)}}});
      return;
  }
}

std::set<std::string> members_of(const std::optional<boost::json::object>& group) {
  std::set<std::string> members;
  if (!group) return members;
  const boost::json::value* list = group->if_contains("members");
  if (list == nullptr || !list->is_array()) return members;
  for (const auto& member : list->get_array()) {
    if (member.is_string()) members.emplace(member.get_string());
  }
  return members;
}

boost::json::array difference(const std::set<std::string>& a, const std::set<std::string>& b) {
  boost::json::array out;
  for (const std::string& member : a) {
    if (!b.contains(member)) out.emplace_back(member);
  }
  return out;
}

void group_events(const ItemChange& change, std::vector<DerivedEvent>& events) {
  const std::set<std::string> before = members_of(change.before);
  const std::set<std::string> after = members_of(change.after);
  const boost::json::object& current = change.after ? *change.after : *change.before;
  boost::json::array members;
  for (const std::string& member : after) members.emplace_back(member);
  const std::string_view what = change.kind == Kind::kAdded     ? "created"
                                : change.kind == Kind::kRemoved ? "deleted"
                                                                : "modified";
  events.push_back({"group.changed",
                    {{"name", field(current, "name")},
                     {"gid", field(current, "gid")},
                     {"change", what},
                     {"members", std::move(members)},
                     {"added_members", difference(after, before)},
                     {"removed_members", difference(before, after)}}});
}

}  // namespace

std::vector<DerivedEvent> derive_events(std::string_view section,
                                        const std::vector<ItemChange>& changes) {
  std::vector<DerivedEvent> events;
  for (const ItemChange& change : changes) {
    if (section == "packages") {
      package_events(change, events);
    } else if (section == "listening") {
      port_events(change, events);
    } else if (section == "users") {
      user_events(change, events);
    } else if (section == "groups") {
      group_events(change, events);
    }
  }
  return events;
}

}  // namespace sentinel::inventory
