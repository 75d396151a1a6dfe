// POST /api/v1/agents/{id}/commands: a command to a connected agent, answered with its result.

#include <fmt/format.h>

#include <array>
#include <boost/json/serialize.hpp>

#include "sentinel/agents/agent_channel.h"

namespace sentinel::agents {
namespace {

constexpr std::array<std::string_view, 8> kCommands = {
    "ping",           "collect_inventory", "set_config",     "firewall_apply", "firewall_confirm",
    "firewall_block", "firewall_unblock",  "firewall_status"};
constexpr auto kCommandTimeout = std::chrono::seconds(10);

Result<gateway::Response> run(AgentChannel& channel, auth::AuditLog& audit,
                              gateway::Request& request) {
  const std::string agent_id(request.path_param("id"));
  SENTINEL_ASSIGN(body, gateway::parse_json_object(request.body, {"name", "args"}));
  SENTINEL_ASSIGN(name, gateway::required_string(body, "name"));
  if (std::find(kCommands.begin(), kCommands.end(), name) == kCommands.end()) {
    return invalid_argument(
        fmt::format("name: unknown command '{}' (known: {})", name, fmt::join(kCommands, ", ")),
        "name");
  }
  boost::json::object args;
  if (const auto* value = body.if_contains("args")) {
    if (!value->is_object()) return invalid_argument("args: must be an object", "args");
    args = value->as_object();
  }
  auto result = channel.run_command(agent_id, name, args, kCommandTimeout);
  const bool succeeded = result && result->ok;
  const Result<auth::AuditEntry> recorded = audit.record(auth::AuditRecord{
      .actor = request.caller().username,
      .action = "agent.command",
      .target = "agent:" + agent_id,
      .source_address = request.remote_address,
      .outcome = succeeded ? "success" : "failure",
      .details_json = boost::json::serialize(boost::json::object{{"command", name}})});
  if (!recorded) return recorded.error();
  if (!result) return result.error();
  return gateway::Response::json(boost::json::object{{"id", result->id},
                                                     {"ok", result->ok},
                                                     {"result", result->result},
                                                     {"error", result->error}});
}

}  // namespace

Status register_command_routes(gateway::Router& router, AgentChannel& channel,
                               auth::AuditLog& audit) {
  // Waits for the agent's answer, up to kCommandTimeout.
  return router.add(gateway::long_running_route(
      {"POST",
       "/api/v1/agents/{id}/commands",
       "agents:write",
       "Run a command (ping, collect_inventory, set_config) on a connected agent "
       "and return its result",
       [&channel, &audit](gateway::Request& request) { return run(channel, audit, request); },
       {"name", "args"}}));
}

}  // namespace sentinel::agents
