#include "normaliser.h"

#include <fmt/format.h>

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <utility>

namespace sentinel::detect {
namespace {

using detection::Field;

// Inventory events keep their own shape in storage (issue 3); rules read them under ECS names.
struct Alias {
  std::string_view type_prefix;
  std::string_view from;
  std::string_view to;
};

constexpr std::array kAliases = {
    Alias{"package.", "name", "package.name"},
    Alias{"package.", "version", "package.version"},
    Alias{"package.", "to", "package.version"},
    Alias{"package.", "from", "package.previous.version"},
    Alias{"package.", "arch", "package.architecture"},
    Alias{"package.", "source", "package.type"},
    Alias{"port.", "protocol", "network.transport"},
    Alias{"port.", "address", "server.ip"},
    Alias{"port.", "port", "server.port"},
    Alias{"port.", "pid", "process.pid"},
    Alias{"port.", "process", "process.name"},
    Alias{"port.", "user", "user.name"},
    Alias{"user.", "name", "user.name"},
    Alias{"user.", "uid", "user.id"},
    Alias{"user.", "after.uid", "user.id"},
    Alias{"user.", "gid", "user.group.id"},
    Alias{"user.", "shell", "user.shell"},
    Alias{"user.", "after.shell", "user.shell"},
    Alias{"group.", "name", "group.name"},
    Alias{"group.", "gid", "group.id"},
};

// event.category and the prefix of event.action for the inventory types.
struct Category {
  std::string_view type_prefix;
  std::string_view category;
  std::string_view action_prefix;
};

constexpr std::array kCategories = {
    Category{"package.", "package", ""},
    Category{"port.", "network", "port_"},
    Category{"user.", "iam", "user_"},
    Category{"group.", "iam", "group_"},
};

std::string scalar_text(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::string:
      return std::string(value.get_string());
    case boost::json::kind::int64:
      return std::to_string(value.get_int64());
    case boost::json::kind::uint64:
      return std::to_string(value.get_uint64());
    case boost::json::kind::double_:
      return fmt::format("{}", value.get_double());
    case boost::json::kind::bool_:
      return value.get_bool() ? "true" : "false";
    default:
      return {};
  }
}

// Objects become dotted names; arrays of scalars one comma-separated value; null is left out.
void flatten(const boost::json::object& object, const std::string& prefix,
             std::vector<Field>& out) {
  for (const auto& [key, value] : object) {
    std::string name = prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
    if (value.is_object()) {
      flatten(value.get_object(), name, out);
    } else if (value.is_array()) {
      std::string joined;
      for (const boost::json::value& item : value.get_array()) {
        if (item.is_object() || item.is_array() || item.is_null()) continue;
        if (!joined.empty()) joined += ',';
        joined += scalar_text(item);
      }
      out.push_back({std::move(name), std::move(joined)});
    } else if (!value.is_null()) {
      out.push_back({std::move(name), scalar_text(value)});
    }
  }
}

void add_if_absent(detection::Event& event, std::string_view name, std::string value) {
  if (event.find(name) == nullptr) event.fields.push_back({std::string(name), std::move(value)});
}

void add_inventory_fields(detection::Event& event) {
  for (const Alias& alias : kAliases) {
    if (!event.type.starts_with(alias.type_prefix)) continue;
    if (const std::string* value = event.find(alias.from)) add_if_absent(event, alias.to, *value);
  }
  for (const Category& category : kCategories) {
    if (!event.type.starts_with(category.type_prefix)) continue;
    add_if_absent(event, "event.category", std::string(category.category));
    std::string action = event.type.substr(category.type_prefix.size());
    if (const std::string* change = event.find("change"); change && event.type == "group.changed") {
      action = *change;
    }
    add_if_absent(event, "event.action", std::string(category.action_prefix) + action);
  }
}

const boost::json::value* member(const boost::json::object& object, std::string_view name) {
  return object.if_contains(name);
}

}  // namespace

Result<detection::Event> normalise(
    std::string_view payload, const std::function<std::string(const std::string&)>& host_name) {
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(payload, ec);
  if (ec || !root.is_object()) return invalid_argument("event message: not a JSON object");
  const boost::json::value* inner = member(root.get_object(), "event");
  if (inner == nullptr || !inner->is_object()) {
    return invalid_argument("event message: no event object");
  }
  const boost::json::object& stored = inner->get_object();
  const boost::json::value* id = member(stored, "id");
  const boost::json::value* agent = member(stored, "agent_id");
  const boost::json::value* time = member(stored, "time");
  const boost::json::value* type = member(stored, "type");
  const boost::json::value* data = member(stored, "data");
  if (id == nullptr || !id->is_int64() || agent == nullptr || !agent->is_string() ||
      time == nullptr || !time->is_int64() || type == nullptr || !type->is_string() ||
      data == nullptr || !data->is_object()) {
    return invalid_argument("event message: id, agent_id, time, type or data missing or mistyped");
  }
  detection::Event event;
  event.id = id->get_int64();
  event.agent_id = std::string(agent->get_string());
  event.time_ms = time->get_int64();
  event.type = std::string(type->get_string());
  flatten(data->get_object(), "", event.fields);
  add_inventory_fields(event);
  add_if_absent(event, "event.type", event.type);
  add_if_absent(event, "agent.id", event.agent_id);
  if (host_name) {
    if (std::string host = host_name(event.agent_id); !host.empty()) {
      add_if_absent(event, "host.name", std::move(host));
    }
  }
  return event;
}

}  // namespace sentinel::detect
