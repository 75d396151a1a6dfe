#include "sentinel/server/module_graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace sentinel::server {
namespace {

const ModuleSpec* find_module(const std::string& name) {
  for (const ModuleSpec& spec : module_specs()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

void visit(const ModuleSpec& spec, std::set<std::string>& seen, std::vector<std::string>& order) {
  if (!seen.insert(spec.name).second) return;
  for (const std::string& dependency : spec.dependencies)
    visit(*find_module(dependency), seen, order);
  order.push_back(spec.name);
}

}  // namespace

const std::vector<ModuleSpec>& module_specs() {
  static const std::vector<ModuleSpec> specs = {
      {"store", {}, "database connection and migrations (SQLite or PostgreSQL)"},
      {"bus", {}, "publish/subscribe between services (in-process)"},
      {"audit", {"store", "bus"}, "hash-chained audit log"},
      {"auth", {"store", "audit"}, "users, sessions, 2FA, API tokens, roles"},
      // Before the gateway: the gateway copies the route table when it is created.
      {"agents",
       {"store", "bus", "audit", "auth"},
       "agent CA, enrolment tokens, enrolment, agent registry"},
      {"alerts", {"store", "bus", "audit"}, "alerts: dedup, triage, comments"},
      {"detect",
       {"bus", "audit", "alerts"},
       "threat detection: Sigma rules and correlation over every stored event"},
      // Before the gateway, like every module with routes.
      {"scanner",
       {"store", "bus", "audit", "auth"},
       "network scans inside the configured scopes: jobs, results, diffs, nmap imports"},
      // Before the gateway, like every module with routes.
      {"firewall",
       {"agents", "audit", "bus", "store"},
       "firewall policies: versions, assignments, validation, push to agents, agent state"},
      {"gateway", {"auth", "bus"}, "HTTPS API, WebSocket stream, portal"},
  };
  return specs;
}

Result<std::vector<std::string>> resolve_targets(const std::vector<std::string>& targets) {
  std::set<std::string> seen;
  std::vector<std::string> order;
  for (const std::string& target : targets) {
    if (target == "all") {
      for (const ModuleSpec& spec : module_specs()) visit(spec, seen, order);
      continue;
    }
    const ModuleSpec* spec = find_module(target);
    if (spec == nullptr) {
      std::vector<std::string> known = {"all"};
      for (const ModuleSpec& each : module_specs()) known.push_back(each.name);
      return invalid_argument(
          fmt::format("unknown target '{}' (known: {})", target, fmt::join(known, ", ")),
          "targets");
    }
    visit(*spec, seen, order);
  }
  return order;
}

}  // namespace sentinel::server
