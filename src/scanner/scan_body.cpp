#include "scan_body.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/object.hpp>

#include "port_spec.h"
#include "sentinel/common/text.h"
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
    if (has_control_character(entry)) {
      return invalid_argument(
          fmt::format("field '{}': entry {} holds a control character", key, i + 1), field);
    }
  }
  return std::move(*list);
}

// {"group": NAME}, {"ids": [ID, ...]} or {"networks": true}: exactly one of the three, well
// formed. Whether the group has agents, the ids name agents and agents sit in every target
// network is the service's to check.
Result<std::optional<AgentSelection>> agent_selection(const boost::json::object& fields) {
  constexpr std::string_view kShape =
      "{\"group\": NAME}, {\"ids\": [ID, ...]} or {\"networks\": true}";
  const boost::json::value* value = fields.if_contains("agents");
  if (value == nullptr || value->is_null()) return std::optional<AgentSelection>();
  if (!value->is_object()) {
    return invalid_argument(fmt::format("field 'agents' must be an object: {}", kShape), "agents");
  }
  const boost::json::object& agents = value->get_object();
  for (const auto& entry : agents) {
    if (entry.key() != "group" && entry.key() != "ids" && entry.key() != "networks") {
      return invalid_argument(fmt::format("field 'agents.{}' is unknown (group, ids or networks)",
                                          std::string(entry.key())),
                              "agents");
    }
  }
  if (agents.size() != 1) {
    return invalid_argument(fmt::format("field 'agents' must hold exactly one of {}", kShape),
                            "agents");
  }
  AgentSelection selection;
  if (const boost::json::value* networks = agents.if_contains("networks")) {
    if (!networks->is_bool() || !networks->get_bool()) {
      return invalid_argument(
          "field 'agents.networks' must be true (the agents that sit in the target networks)",
          "agents.networks");
    }
    selection.networks = true;
    return std::optional<AgentSelection>(std::move(selection));
  }
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

// {"scripts"?: [NAME, ...], "os_detection"?: bool}: the names' syntax only; whether nmap knows
// them and may run them is the service's to check against nmap's catalogue.
Result<NmapOptions> nmap_options(const boost::json::value* value) {
  NmapOptions nmap;
  if (value == nullptr || value->is_null()) return nmap;
  if (!value->is_object()) {
    return invalid_argument(
        "field 'nmap' must be an object: {\"scripts\": [NAME, ...], \"os_detection\": bool}",
        "nmap");
  }
  const boost::json::object& fields = value->get_object();
  for (const auto& entry : fields) {
    if (entry.key() != "scripts" && entry.key() != "os_detection") {
      return invalid_argument(fmt::format("field 'nmap.{}' is unknown (scripts or os_detection)",
                                          std::string(entry.key())),
                              "nmap");
    }
  }
  // The gateway's helpers name the inner field; the caller sent it inside "nmap".
  const auto inside_nmap = [](Error error) {
    if (const std::size_t at = error.message.find("field '"); at != std::string::npos) {
      error.message.insert(at + 7, "nmap.");
    }
    error.field = "nmap." + error.field;
    return error;
  };
  auto scripts = gateway::optional_string_list(fields, "scripts");
  if (!scripts) return inside_nmap(std::move(scripts).error());
  if (*scripts) {
    if ((*scripts)->size() > kMaxNmapScripts) {
      return invalid_argument(
          fmt::format("field 'nmap.scripts' holds more than {} entries", kMaxNmapScripts),
          "nmap.scripts");
    }
    for (std::size_t i = 0; i < (*scripts)->size(); ++i) {
      const std::string& name = (**scripts)[i];
      const bool well_formed =
          !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
          });
      if (!well_formed) {
        return invalid_argument(
            fmt::format("field 'nmap.scripts': entry {} is not a script or category name "
                        "(lower-case letters, digits, - and _; at most 64)",
                        i + 1),
            "nmap.scripts");
      }
      if (std::find(nmap.scripts.begin(), nmap.scripts.end(), name) == nmap.scripts.end()) {
        nmap.scripts.push_back(name);
      }
    }
  }
  auto os_detection = gateway::optional_bool(fields, "os_detection");
  if (!os_detection) return inside_nmap(std::move(os_detection).error());
  nmap.os_detection = os_detection->value_or(false);
  return nmap;
}

// "backend": "engine" (the default) or "nmap"; "nmap" options only with the nmap backend.
Result<std::optional<NmapOptions>> backend_of(const boost::json::object& fields) {
  SENTINEL_ASSIGN(backend, gateway::optional_string(fields, "backend"));
  const boost::json::value* options = fields.if_contains("nmap");
  if (!backend || *backend == "engine") {
    if (options != nullptr && !options->is_null()) {
      return invalid_argument("field 'nmap' needs \"backend\": \"nmap\"", "nmap");
    }
    return std::optional<NmapOptions>();
  }
  if (*backend != "nmap") {
    return invalid_argument("field 'backend' must be engine or nmap", "backend");
  }
  SENTINEL_ASSIGN(nmap, nmap_options(options));
  return std::optional<NmapOptions>(std::move(nmap));
}

// "max_rate" (probes per second, a positive number up to kMaxProbeRate) and "max_concurrency"
// (probes in flight, an integer 1..kMaxProbeConcurrency); absent or null: the engine's own.
Result<ProbeLimits> probe_limits(const boost::json::object& fields) {
  ProbeLimits limits;
  if (const boost::json::value* rate = fields.if_contains("max_rate");
      rate != nullptr && !rate->is_null()) {
    if (!rate->is_number()) {
      return invalid_argument("field 'max_rate' must be a number (probes per second)", "max_rate");
    }
    const double value = rate->to_number<double>();
    if (!(value > 0) || value > kMaxProbeRate) {
      return invalid_argument(
          fmt::format("field 'max_rate' must be more than 0 and at most {} probes per second "
                      "(leave it out for no cap)",
                      kMaxProbeRate),
          "max_rate");
    }
    limits.max_rate = value;
  }
  SENTINEL_ASSIGN(concurrency, gateway::optional_integer(fields, "max_concurrency"));
  if (concurrency) {
    if (*concurrency < 1 || *concurrency > kMaxProbeConcurrency) {
      return invalid_argument(fmt::format("field 'max_concurrency' must be 1..{} probes in flight",
                                          kMaxProbeConcurrency),
                              "max_concurrency");
    }
    limits.max_concurrency = *concurrency;
  }
  return limits;
}

}  // namespace

Result<ScanRequest> parse_scan_request(std::string_view body) {
  SENTINEL_ASSIGN(fields,
                  gateway::parse_json_object(
                      body, {"targets", "exclude", "ports", "profile", "confirm_large", "agents",
                             "backend", "nmap", "discovery", "max_rate", "max_concurrency"}));
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
  SENTINEL_ASSIGN(nmap, backend_of(fields));
  request.nmap = std::move(nmap);
  if (request.nmap && request.agents) {
    return invalid_argument("a scan split across agents runs on our engine, not nmap", "backend");
  }
  SENTINEL_ASSIGN(discovery, gateway::optional_bool(fields, "discovery"));
  request.discovery = discovery;
  SENTINEL_ASSIGN(limits, probe_limits(fields));
  request.limits = limits;
  return request;
}

}  // namespace sentinel::scanner
