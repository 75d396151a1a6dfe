// The inventory's HTTP routes: one agent's packages, sections and changes; queries across agents.

#include "sentinel/inventory/routes.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "sentinel/common/time_format.h"
#include "sentinel/inventory/sections.h"

namespace sentinel::inventory {
namespace {

using gateway::Request;
using gateway::Response;

constexpr std::string_view kPermission = "agents:read";
constexpr std::size_t kMaxQueryText = 256;
constexpr std::int64_t kDefaultChangeLimit = 100;

// Agent ids are "agt_" and lower-case base32; anything else names no agent.
Result<std::string> agent_id_param(const Request& request) {
  const std::string_view id = request.path_param("id");
  const std::string_view rest = id.substr(std::min<std::size_t>(4, id.size()));
  const bool valid = id.starts_with("agt_") && !rest.empty() && rest.size() <= 64 &&
                     std::all_of(rest.begin(), rest.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
                     });
  if (!valid) return not_found("no such agent");
  return std::string(id);
}

// A short printable query parameter; nullopt when absent.
Result<std::optional<std::string>> text_query(const Request& request, std::string_view name) {
  const auto value = request.query_param(name);
  if (!value) return std::optional<std::string>();
  const bool printable = std::all_of(value->begin(), value->end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && c != 0x7f;
  });
  if (value->empty() || value->size() > kMaxQueryText || !printable) {
    return invalid_argument(fmt::format("query parameter '{}' must be 1 to {} printable "
                                        "characters without spaces",
                                        name, kMaxQueryText),
                            std::string(name));
  }
  return std::optional<std::string>(std::string(*value));
}

Result<std::optional<std::string>> section_query(const Request& request) {
  SENTINEL_ASSIGN(section, text_query(request, "section"));
  if (section && !is_section(*section)) {
    return invalid_argument(
        fmt::format("query parameter 'section' must be one of {}", fmt::join(kSections, ", ")),
        "section");
  }
  return section;
}

boost::json::value item_or_null(const std::optional<boost::json::object>& item) {
  return item ? boost::json::value(*item) : boost::json::value(nullptr);
}

Result<Response> agent_packages(InventoryService& service, Request& request) {
  SENTINEL_ASSIGN(agent_id, agent_id_param(request));
  SENTINEL_ASSIGN(packages, service.packages(agent_id));
  boost::json::array out;
  out.reserve(packages.size());
  for (const PackageRecord& package : packages) {
    out.emplace_back(boost::json::object{{"name", package.name},
                                         {"version", package.version},
                                         {"arch", package.arch},
                                         {"source", package.source}});
  }
  return Response::json(out);
}

Result<Response> agent_section(InventoryService& service, Request& request) {
  SENTINEL_ASSIGN(agent_id, agent_id_param(request));
  const std::string_view section = request.path_param("section");
  if (!is_section(section)) return not_found(fmt::format("no inventory section '{}'", section));
  SENTINEL_ASSIGN(items, service.section_items(agent_id, section));
  return Response::json(boost::json::object{{"items", std::move(items)}});
}

Result<Response> agent_changes(InventoryService& service, Request& request) {
  SENTINEL_ASSIGN(agent_id, agent_id_param(request));
  SENTINEL_ASSIGN(section, section_query(request));
  SENTINEL_ASSIGN(limit, gateway::integer_query(request, "limit", 1, 1000));
  SENTINEL_ASSIGN(before, gateway::integer_query(request, "before", 1, INT64_MAX));
  SENTINEL_ASSIGN(
      changes, service.changes({agent_id, section, limit.value_or(kDefaultChangeLimit), before}));
  boost::json::array items;
  items.reserve(changes.size());
  for (const InventoryChangeRecord& change : changes) {
    items.emplace_back(boost::json::object{{"id", change.id},
                                           {"time", iso8601_utc(change.time_ms)},
                                           {"section", change.section},
                                           {"kind", change.kind},
                                           {"key", change.key},
                                           {"before", item_or_null(change.before)},
                                           {"after", item_or_null(change.after)}});
  }
  return Response::json(boost::json::object{{"items", std::move(items)}});
}

Result<Response> hosts_with_package(InventoryService& service, Request& request) {
  SENTINEL_ASSIGN(name, text_query(request, "name"));
  if (!name) return invalid_argument("query parameter 'name' is required", "name");
  SENTINEL_ASSIGN(below, text_query(request, "below"));
  SENTINEL_ASSIGN(packages, service.find_packages(*name, below));
  boost::json::array items;
  items.reserve(packages.size());
  for (const PackageRecord& package : packages) {
    items.emplace_back(boost::json::object{{"agent_id", package.agent_id},
                                           {"name", package.name},
                                           {"version", package.version},
                                           {"arch", package.arch}});
  }
  return Response::json(boost::json::object{{"items", std::move(items)}});
}

Result<Response> hosts_listening(InventoryService& service, Request& request) {
  SENTINEL_ASSIGN(port, gateway::integer_query(request, "port", 1, 65535));
  if (!port) return invalid_argument("query parameter 'port' is required", "port");
  SENTINEL_ASSIGN(protocol, text_query(request, "protocol"));
  if (protocol && *protocol != "tcp" && *protocol != "udp") {
    return invalid_argument("query parameter 'protocol' must be tcp or udp", "protocol");
  }
  SENTINEL_ASSIGN(ports, service.find_ports(*port, protocol));
  boost::json::array items;
  items.reserve(ports.size());
  for (const PortRecord& found : ports) {
    items.emplace_back(boost::json::object{
        {"agent_id", found.agent_id},
        {"protocol", found.protocol},
        {"address", found.address},
        {"port", found.port},
        {"process", found.process ? boost::json::value(*found.process) : nullptr}});
  }
  return Response::json(boost::json::object{{"items", std::move(items)}});
}

}  // namespace

Status register_inventory_routes(gateway::Router& router, InventoryService& service) {
  const std::string permission(kPermission);
  SENTINEL_TRY(router.add({"GET", "/api/v1/agents/{id}/packages", permission,
                           "An agent's installed packages, sorted by name",
                           [&service](Request& r) { return agent_packages(service, r); }}));
  SENTINEL_TRY(router.add({"GET", "/api/v1/agents/{id}/inventory/{section}", permission,
                           "The current items of one inventory section of an agent",
                           [&service](Request& r) { return agent_section(service, r); }}));
  SENTINEL_TRY(router.add({"GET", "/api/v1/agents/{id}/changes", permission,
                           "An agent's inventory changes, newest first (section, limit, before)",
                           [&service](Request& r) { return agent_changes(service, r); }}));
  SENTINEL_TRY(router.add({"GET", "/api/v1/inventory/packages", permission,
                           "Agents that have package name, optionally below a version",
                           [&service](Request& r) { return hosts_with_package(service, r); }}));
  return router.add({"GET", "/api/v1/inventory/ports", permission,
                     "Agents listening on a port, optionally of one protocol",
                     [&service](Request& r) { return hosts_listening(service, r); }});
}

}  // namespace sentinel::inventory
