#pragma once
// Builds the services of a target set in dependency order (the graph is in module_graph.h).

#include <memory>
#include <string>
#include <vector>

#include "sentinel/agents/agent_channel.h"
#include "sentinel/agents/agent_registry.h"
#include "sentinel/agents/certificate_authority.h"
#include "sentinel/agents/enrollment.h"
#include "sentinel/alerts/alert_service.h"
#include "sentinel/auth/audit_log.h"
#include "sentinel/auth/auth_service.h"
#include "sentinel/bus/bus.h"
#include "sentinel/common/clock.h"
#include "sentinel/common/metrics.h"
#include "sentinel/detect/detect_service.h"
#include "sentinel/events/event_retention.h"
#include "sentinel/events/event_store.h"
#include "sentinel/firewall/active_response.h"
#include "sentinel/firewall/allow_list.h"
#include "sentinel/firewall/block_service.h"
#include "sentinel/firewall/feed_service.h"
#include "sentinel/firewall/policy_service.h"
#include "sentinel/gateway/agent_channel.h"
#include "sentinel/gateway/gateway.h"
#include "sentinel/gateway/router.h"
#include "sentinel/inventory/inventory_service.h"
#include "sentinel/scanner/scanner_service.h"
#include "sentinel/server/config.h"
#include "sentinel/server/service.h"
#include "sentinel/store/database.h"

namespace sentinel::server {

/// Everything the modules of one process build and share. Owned by main; members are filled in
/// module order and destroyed in reverse.
struct ModuleContext {
  explicit ModuleContext(ServerConfig config) : config(std::move(config)) {}

  ServerConfig config;
  SystemClock clock;
  MetricsRegistry metrics;
  gateway::Router router;
  std::unique_ptr<store::Database> database;
  std::unique_ptr<bus::Bus> bus;
  std::unique_ptr<auth::AuditLog> audit;
  std::unique_ptr<auth::AuthService> auth;
  std::unique_ptr<agents::CertificateAuthority> agent_ca;
  std::unique_ptr<agents::AgentRegistry> agent_registry;
  std::unique_ptr<agents::EnrollmentService> enrollment;
  /// The agent channel's server certificate, signed by agent_ca.
  agents::ChannelCertificateFiles agent_channel_files;
  std::unique_ptr<inventory::InventoryService> inventory;
  std::unique_ptr<events::EventStore> event_store;
  std::unique_ptr<agents::AgentChannel> agent_channel;
  std::unique_ptr<gateway::AgentChannelListener> agent_listener;
  std::unique_ptr<alerts::AlertService> alerts;
  std::unique_ptr<events::EventRetention> event_retention;
  std::unique_ptr<detect::DetectService> detect;
  std::unique_ptr<scanner::ScannerService> scanner;
  std::unique_ptr<firewall::AllowList> firewall_allow_list;
  std::unique_ptr<firewall::BlockService> firewall_blocks;
  /// Read by the detect module's sink per detection (the firewall module is built after it).
  std::unique_ptr<firewall::ActiveResponse> active_response;
  /// Declared before the policy service, which asks it for feed contents.
  std::unique_ptr<firewall::FeedService> firewall_feeds;
  /// Declared after the block service it asks for active blocks, so destroyed before it.
  std::unique_ptr<firewall::PolicyService> firewall_policies;
  std::unique_ptr<gateway::Gateway> gateway;
  /// Services with a lifecycle, in start order.
  std::vector<Service*> services;
  /// The admin password when this start created the admin user with a generated one.
  std::optional<Secret> generated_admin_password;
};

/// Builds the modules named in `order` (from resolve_targets). Fails on the first module that
/// cannot be built, with its name in the message.
Status build_modules(ModuleContext& context, const std::vector<std::string>& order);

}  // namespace sentinel::server
