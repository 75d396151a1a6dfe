// /api/v1/agents: list, show, change placement, revoke, delete.

#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <cstdint>

#include "agent_json.h"
#include "placement.h"
#include "route_support.h"

namespace sentinel::agents {
namespace {

using gateway::Request;
using gateway::Response;

constexpr std::string_view kRead = "agents:read";
constexpr std::string_view kWrite = "agents:write";
// Longer ids cannot exist; they are answered without asking the database.
constexpr std::size_t kMaxIdLength = 64;

Result<std::string> agent_id(const Request& request) {
  const std::string_view id = request.path_param("id");
  if (id.empty() || id.size() > kMaxIdLength) return not_found("No such agent.");
  return std::string(id);
}

Result<AgentFilter> filter_of(const Request& request) {
  AgentFilter filter;
  if (const auto status = request.query_param("status")) {
    filter.status = parse_agent_status(*status);
    if (!filter.status) {
      return invalid_argument("status must be online, offline or revoked", "status");
    }
  }
  if (const auto group = request.query_param("group")) filter.group = std::string(*group);
  if (const auto label = request.query_param("label")) {
    const std::size_t equals = label->find('=');
    if (equals == std::string_view::npos) {
      return invalid_argument("label must be KEY=VALUE", "label");
    }
    const std::string key(label->substr(0, equals));
    SENTINEL_TRY(check_label_key(key, "label"));
    filter.label.emplace(key, std::string(label->substr(equals + 1)));
  }
  filter.search = std::string(request.query_param("q").value_or(""));
  SENTINEL_ASSIGN(limit, gateway::integer_query(request, "limit", 1, 1000));
  SENTINEL_ASSIGN(offset, gateway::integer_query(request, "offset", 0, INT64_MAX));
  filter.limit = limit.value_or(filter.limit);
  filter.offset = offset.value_or(filter.offset);
  return filter;
}

Result<Response> list(AgentRegistry& registry, Request& request) {
  SENTINEL_ASSIGN(filter, filter_of(request));
  SENTINEL_ASSIGN(page, registry.list(filter));
  boost::json::array items;
  for (const AgentRecord& agent : page.items) items.emplace_back(agent_json(agent));
  return Response::json(boost::json::object{{"items", std::move(items)}, {"total", page.total}});
}

Result<Response> show(AgentRegistry& registry, Request& request) {
  SENTINEL_ASSIGN(id, agent_id(request));
  SENTINEL_ASSIGN(agent, registry.get(id));
  return Response::json(agent_json(agent));
}

Result<Response> update(AgentRegistry& registry, Request& request) {
  SENTINEL_ASSIGN(id, agent_id(request));
  SENTINEL_ASSIGN(body, gateway::parse_json_object(request.body, {"group", "labels"}));
  AgentUpdate change;
  if (const boost::json::value* group = body.if_contains("group")) {
    if (group->is_null()) {
      change.group = "";
    } else if (group->is_string()) {
      change.group = std::string(group->get_string());
    } else {
      return invalid_argument("field 'group' must be a string (or null for none)", "group");
    }
  }
  SENTINEL_TRY(read_labels_field(body, change.set_labels, &change.remove_labels));
  if (!change.group && change.set_labels.empty() && change.remove_labels.empty()) {
    return invalid_argument("nothing to change: give group or labels");
  }
  SENTINEL_ASSIGN(agent, registry.update(request.caller(), id, change, client_of(request)));
  return Response::json(agent_json(agent));
}

Result<Response> revoke(AgentRegistry& registry, Request& request) {
  SENTINEL_ASSIGN(id, agent_id(request));
  SENTINEL_TRY(registry.revoke(request.caller(), id, client_of(request)));
  SENTINEL_ASSIGN(agent, registry.get(id));
  return Response::json(agent_json(agent));
}

Result<Response> remove(AgentRegistry& registry, Request& request) {
  SENTINEL_ASSIGN(id, agent_id(request));
  SENTINEL_TRY(registry.remove(request.caller(), id, client_of(request)));
  return Response::no_content();
}

}  // namespace

Status register_registry_routes(gateway::Router& router, AgentRegistry& registry) {
  SENTINEL_TRY(router.add({"GET", "/api/v1/agents", std::string(kRead),
                           "List agents with their status (status, group, label=k=v, q, limit, "
                           "offset); total counts every match",
                           [&registry](Request& r) { return list(registry, r); }}));
  SENTINEL_TRY(router.add({"GET", "/api/v1/agents/{id}", std::string(kRead),
                           "Show one agent: host facts, group, labels, status, certificate",
                           [&registry](Request& r) { return show(registry, r); }}));
  SENTINEL_TRY(router.add({"PATCH",
                           "/api/v1/agents/{id}",
                           std::string(kWrite),
                           "Change an agent's group and labels (a null label value removes it)",
                           [&registry](Request& r) { return update(registry, r); },
                           {"group", "labels"}}));
  SENTINEL_TRY(router.add({"POST", "/api/v1/agents/{id}/revoke", std::string(kWrite),
                           "Revoke an agent: its connection is closed and it cannot reconnect",
                           [&registry](Request& r) { return revoke(registry, r); }}));
  return router.add({"DELETE", "/api/v1/agents/{id}", std::string(kWrite),
                     "Delete an agent and everything stored about it",
                     [&registry](Request& r) { return remove(registry, r); }});
}

}  // namespace sentinel::agents
