#include "sigma_mapping.h"

#include <array>
#include <string>

namespace sentinel::detection {
namespace {

// Event types the inventory service derives from snapshots (src/inventory/derived_events.cpp).
// `service: inventory` selects every type agents do not send, so that new ones are included.
constexpr std::array<std::string_view, 10> kInventoryTypes = {
    "package.installed", "package.removed", "package.upgraded", "package.downgraded",
    "port.opened",       "port.closed",     "user.created",     "user.deleted",
    "user.changed",      "group.changed",
};

// Event types agents send (ADR 0004).
constexpr std::array<std::string_view, 6> kHostTypes = {
    "log", "fim", "fim.batch", "process.start", "network.connection", "collector.stats",
};

// `product: linux` services: the `event.module` values of the `log` events they stand for
// (empty: every module).
struct ServiceModules {
  std::string_view service;
  std::array<std::string_view, 8> modules;
};
constexpr std::array<ServiceModules, 7> kLinuxServices = {{
    {"sshd", {"sshd"}},
    {"sudo", {"sudo"}},
    {"su", {"su"}},
    {"cron", {"cron"}},
    {"auditd", {"audit"}},
    {"auth", {"sshd", "sudo", "su", "pam", "login", "useradd", "usermod", "cron"}},
    {"syslog", {}},
}};

// Sigma categories shared by every product we accept.
struct CategoryType {
  std::string_view category;
  std::string_view type;
};
constexpr std::array<CategoryType, 4> kCategories = {{
    {"process_creation", "process.start"},
    {"file_event", "fim"},
    {"file_change", "fim"},
    {"network_connection", "network.connection"},
}};

// Sigma standard field names (process_creation, file_event, network_connection) and ours.
struct FieldPair {
  std::string_view sigma;
  std::string_view ours;
};
constexpr std::array<FieldPair, 18> kFields = {{
    {"Image", "process.executable"},
    {"CommandLine", "process.command_line"},
    {"ParentImage", "process.parent.executable"},
    {"ParentCommandLine", "process.parent.command_line"},
    {"ProcessId", "process.pid"},
    {"ParentProcessId", "process.parent.pid"},
    {"CurrentDirectory", "process.working_directory"},
    {"User", "user.name"},
    {"TargetFilename", "file.path"},
    {"SourceIp", "source.ip"},
    {"SourcePort", "source.port"},
    {"DestinationIp", "destination.ip"},
    {"DestinationPort", "destination.port"},
    {"DestinationHostname", "destination.domain"},
    {"Protocol", "network.transport"},
    {"ComputerName", "host.name"},
    {"Computer", "host.name"},
    {"Hostname", "host.name"},
}};

Error no_events(std::string_view product, std::string_view category, std::string_view service) {
  std::string what;
  const auto add = [&what](std::string_view key, std::string_view value) {
    if (value.empty()) return;
    if (!what.empty()) what += ", ";
    what += std::string(key) + ": " + std::string(value);
  };
  add("product", product);
  add("category", category);
  add("service", service);
  return invalid_argument(
      "logsource {" + what + "} selects no events SentinelSecure receives (see rules/README.md)",
      "logsource");
}

}  // namespace

Result<EventFilter> map_logsource(std::string_view product, std::string_view category,
                                  std::string_view service) {
  EventFilter filter;
  if (product == "sentinel") {
    if (!category.empty() && !service.empty()) return no_events(product, category, service);
    if (service == "inventory") {
      filter.excluded_types.assign(kHostTypes.begin(), kHostTypes.end());
      return filter;
    }
    if (!service.empty()) return no_events(product, category, service);
    if (category.empty()) return filter;  // every event type
    for (std::string_view type : kHostTypes) {
      if (type == category) return EventFilter{{std::string(type)}, {}};
    }
    for (std::string_view type : kInventoryTypes) {
      if (type == category) return EventFilter{{std::string(type)}, {}};
    }
    return no_events(product, category, service);
  }
  if (!product.empty() && product != "linux") return no_events(product, category, service);
  if (!category.empty()) {
    if (!service.empty()) return no_events(product, category, service);
    for (const CategoryType& entry : kCategories) {
      if (entry.category == category) return EventFilter{{std::string(entry.type)}, {}};
    }
    return no_events(product, category, service);
  }
  if (product.empty()) return no_events(product, category, service);  // nothing named at all
  if (service.empty()) return filter;  // `product: linux` alone: every event
  filter.types = {"log"};
  for (const ServiceModules& entry : kLinuxServices) {
    if (entry.service != service) continue;
    for (std::string_view module : entry.modules) {
      if (!module.empty()) filter.modules.emplace_back(module);
    }
    return filter;
  }
  return no_events(product, category, service);
}

std::string_view map_field_name(std::string_view name) {
  for (const FieldPair& pair : kFields) {
    if (pair.sigma == name) return pair.ours;
  }
  return name;
}

}  // namespace sentinel::detection
