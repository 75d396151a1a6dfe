#include "scan_body.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/object.hpp>

#include "port_spec.h"
#include "sentinel/gateway/http.h"

namespace sentinel::scanner {
namespace {

// A targets or exclude list: strings, each non-empty, short and free of control characters.
Result<std::vector<std::string>> target_list(const boost::json::object& fields,
                                             std::string_view key, bool required) {
  SENTINEL_ASSIGN(list, gateway::optional_string_list(fields, key));
  const std::string field(key);
  if (!list) {
    if (required) return invalid_argument(fmt::format("field '{}' is required", key), field);
    return std::vector<std::string>{};
  }
  if (required && list->empty()) {
    return invalid_argument(fmt::format("field '{}' must name at least one target", key), field);
  }
  if (list->size() > kMaxTargetEntries) {
    return invalid_argument(fmt::format("field '{}' holds {} entries, more than {}", key,
                                        list->size(), kMaxTargetEntries),
                            field);
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string& entry = (*list)[i];
    if (entry.empty()) {
      return invalid_argument(fmt::format("field '{}': entry {} is empty", key, i + 1), field);
    }
    if (entry.size() > kMaxTargetLength) {
      return invalid_argument(fmt::format("field '{}': entry {} is longer than {} characters", key,
                                          i + 1, kMaxTargetLength),
                              field);
    }
    for (const unsigned char c : entry) {
      if (c < 0x20 || c == 0x7f) {
        return invalid_argument(
            fmt::format("field '{}': entry {} holds a control character", key, i + 1), field);
      }
    }
  }
  return std::move(*list);
}

// {"group": NAME} or {"ids": [ID, ...]}: exactly one of the two, well formed. Whether the group
// has agents and the ids name agents is the service's to check.
Result<std::optional<AgentSelection>> agent_selection(const boost::json::object& fields) {
  const boost::json::value* value = fields.if_contains("agents");
  if (value == nullptr || value->is_null()) return std::optional<AgentSelection>();
  if (!value->is_object()) {
    return invalid_argument(
        "field 'agents' must be an object: {\"group\": NAME} or {\"ids\": [ID, ...]}", "agents");
  }
  const boost::json::object& agents = value->get_object();
  for (const auto& entry : agents) {
    if (entry.key() != "group" && entry.key() != "ids") {
      return invalid_argument(
          fmt::format("field 'agents.{}' is unknown (group or ids)", std::string(entry.key())),
          "agents");
    }
  }
  if (agents.contains("group") == agents.contains("ids")) {
    return invalid_argument("field 'agents' must hold either 'group' or 'ids'", "agents");
  }
  AgentSelection selection;
  if (const boost::json::value* group = agents.if_contains("group")) {
    if (!group->is_string() || group->get_string().empty()) {
      return invalid_argument("field 'agents.group' must be a non-empty group name",
                              "agents.group");
    }
    if (group->get_string().size() > kMaxAgentField) {
      return invalid_argument(
          fmt::format("field 'agents.group' is longer than {} characters", kMaxAgentField),
          "agents.group");
    }
    selection.group = std::string(group->get_string());
    return std::optional<AgentSelection>(std::move(selection));
  }
  const boost::json::value& ids = agents.at("ids");
  if (!ids.is_array() || ids.get_array().empty()) {
    return invalid_argument("field 'agents.ids' must be a non-empty list of agent ids",
                            "agents.ids");
  }
  if (ids.get_array().size() > kMaxAgentIds) {
    return invalid_argument(
        fmt::format("field 'agents.ids' holds more than {} agent ids", kMaxAgentIds), "agents.ids");
  }
  for (std::size_t i = 0; i < ids.get_array().size(); ++i) {
    const boost::json::value& id = ids.get_array()[i];
    if (!id.is_string() || id.get_string().empty() || id.get_string().size() > kMaxAgentField) {
      return invalid_argument(fmt::format("field 'agents.ids': entry {} is not an agent id", i + 1),
                              "agents.ids");
    }
    const std::string text(id.get_string());
    if (std::find(selection.ids.begin(), selection.ids.end(), text) == selection.ids.end()) {
      selection.ids.push_back(text);
    }
  }
  return std::optional<AgentSelection>(std::move(selection));
}

}  // namespace

Result<ScanRequest> parse_scan_request(std::string_view body) {
  SENTINEL_ASSIGN(fields, gateway::parse_json_object(body, {"targets", "exclude", "ports",
                                                            "profile", "confirm_large", "agents"}));
  ScanRequest request;
  SENTINEL_ASSIGN(targets, target_list(fields, "targets", true));
  SENTINEL_ASSIGN(exclude, target_list(fields, "exclude", false));
  request.targets = std::move(targets);
  request.exclude = std::move(exclude);

  SENTINEL_ASSIGN(ports, gateway::optional_string(fields, "ports"));
  if (ports) {
    SENTINEL_TRY(check_port_spec(*ports));
    request.ports = std::move(*ports);
  }
  SENTINEL_ASSIGN(profile, gateway::optional_string(fields, "profile"));
  if (profile) {
    request.profile = parse_scan_profile(*profile);
    if (!request.profile) {
      return invalid_argument("field 'profile' must be quick, standard or full", "profile");
    }
  }
  SENTINEL_ASSIGN(confirm_large, gateway::optional_bool(fields, "confirm_large"));
  request.confirm_large = confirm_large.value_or(false);
  SENTINEL_ASSIGN(agents, agent_selection(fields));
  request.agents = std::move(agents);
  return request;
}

}  // namespace sentinel::scanner
