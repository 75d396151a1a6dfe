#include "modules.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>

#include "sentinel/agents/agent_channel.h"
#include "sentinel/agents/routes.h"
#include "sentinel/alerts/routes.h"
#include "sentinel/auth/audit_routes.h"
#include "sentinel/auth/routes.h"
#include "sentinel/detect/routes.h"
#include "sentinel/events/event_routes.h"
#include "sentinel/firewall/block_routes.h"
#include "sentinel/firewall/feed_routes.h"
#include "sentinel/firewall/routes.h"
#include "sentinel/inventory/routes.h"
#include "sentinel/scanner/routes.h"
#include "sentinel/scanner/scan_agents.h"
#include "sentinel/scanner/service_detector.h"

namespace sentinel::server {
namespace {

using Builder = std::function<Status(ModuleContext&)>;

Status build_store(ModuleContext& context) {
  SENTINEL_ASSIGN(database, store::open_database(context.config.database_url()));
  SENTINEL_TRY(store::migrate(*database));
  context.database = std::move(database);
  return ok();
}

Status build_bus(ModuleContext& context) {
  context.bus = bus::make_inproc_bus();
  return ok();
}

Status build_audit(ModuleContext& context) {
  context.audit = auth::make_audit_log(*context.database, *context.bus, context.clock);
  return auth::register_audit_routes(context.router, *context.audit);
}

auth::AuthConfig auth_config(const ServerConfig& config) {
  auth::AuthConfig out;
  out.session_idle_ms = config.auth.session_idle_minutes * 60 * 1000;
  out.session_absolute_ms = config.auth.session_absolute_hours * 3600 * 1000;
  out.lockout_threshold = config.auth.lockout_threshold;
  out.lockout_base_seconds = config.auth.lockout_base_seconds;
  out.lockout_max_seconds = config.auth.lockout_max_seconds;
  out.totp_issuer = config.auth.totp_issuer;
  out.principal_cache_ms = config.auth.principal_cache_ms;
  return out;
}

Status build_auth(ModuleContext& context) {
  SENTINEL_ASSIGN(service,
                  auth::AuthService::create(*context.database, *context.audit, context.metrics,
                                            context.clock, auth_config(context.config)));
  std::optional<Secret> admin_password;
  if (const char* value = std::getenv("SENTINEL_ADMIN_PASSWORD"); value != nullptr && *value) {
    admin_password = Secret(value);
  }
  SENTINEL_ASSIGN(created, service->ensure_admin(admin_password));
  if (created && !admin_password) context.generated_admin_password = std::move(created);
  SENTINEL_TRY(auth::register_auth_routes(context.router, *service));
  context.auth = std::move(service);
  return ok();
}

// The port of a HOST:PORT address (validated by the config loader).
int port_of(const std::string& address) {
  return std::atoi(address.substr(address.rfind(':') + 1).c_str());
}

// Names agents may use to reach the channel: the configured ones, and the hosts of the URLs they
// are given (without a channel URL they connect to their server's host on the channel port).
std::vector<std::string> channel_certificate_names(const ServerConfig& config) {
  std::vector<std::string> names = config.agents.channel_names;
  for (const std::string& url : {config.agents.public_url, config.agents.public_channel_url}) {
    if (std::string host = agents::url_host(url); !host.empty()) names.push_back(std::move(host));
  }
  const std::string gateway_host = agents::url_host("https://" + config.gateway.listen);
  if (gateway_host != "0.0.0.0" && gateway_host != "::" && !gateway_host.empty()) {
    names.push_back(gateway_host);
  }
  return names;
}

// The certificate the gateway serves: the configured one, or the one it generates (see
// gateway::GatewayOptions).
std::string gateway_certificate_file(const ServerConfig& config) {
  return config.gateway.tls.cert_file.empty()
             ? (std::filesystem::path(config.data_dir) / "tls" / "server.crt").string()
             : config.gateway.tls.cert_file;
}

Status build_agents(ModuleContext& context) {
  const ServerConfig& config = context.config;
  SENTINEL_ASSIGN(ca, agents::CertificateAuthority::open_or_create(
                          std::filesystem::path(config.data_dir) / "ca", context.clock));
  SENTINEL_ASSIGN(channel_files, ca->ensure_channel_certificate(channel_certificate_names(config)));
  agents::RegistryOptions registry_options;
  registry_options.offline_after_ms = config.agents.offline_after_s * 1000;
  registry_options.certificate_lifetime =
      std::chrono::minutes(config.agents.certificate_lifetime_minutes);
  SENTINEL_ASSIGN(
      registry, agents::AgentRegistry::create(*context.database, *context.audit, *context.bus, *ca,
                                              context.clock, registry_options));
  agents::EnrollmentOptions options;
  options.default_token_minutes = config.agents.enroll_token_minutes;
  options.heartbeat_s = static_cast<int>(config.agents.heartbeat_s);
  options.channel_port = port_of(config.agents.listen);
  options.public_channel_url = config.agents.public_channel_url;
  options.gateway_certificate_file = gateway_certificate_file(config);
  // Asked at each token creation, when the gateway (built after this module) is serving.
  options.server_url = [&context] {
    return agents::agent_server_url(
        context.config.agents.public_url,
        context.gateway ? context.gateway->bound_address() : context.config.gateway.listen);
  };
  auto enrollment =
      agents::EnrollmentService::create(*context.database, *registry, *ca, *context.audit,
                                        context.metrics, context.clock, std::move(options));
  SENTINEL_TRY(agents::register_agent_routes(context.router, *registry, *enrollment));
  // Here because both certificates are known here (the gateway is built after this module).
  SENTINEL_TRY(agents::register_certificate_routes(
      context.router, *ca, {gateway_certificate_file(config), config.gateway.tls.min_version}));

  // Inventory and events: what agents send, applied and searchable.
  auto inventory = inventory::InventoryService::create(*context.database, context.clock);
  SENTINEL_TRY(inventory::register_inventory_routes(context.router, *inventory));
  auto event_store = std::make_unique<events::EventStore>(*context.database);
  SENTINEL_TRY(events::register_event_routes(context.router, *event_store, context.clock));
  auto retention = std::make_unique<events::EventRetention>(
      *event_store, config.events.retention_days, context.clock, context.metrics);

  // The channel: sessions and ingest, behind the mutual-TLS listener.
  agents::ChannelSettings settings;
  settings.heartbeat_s = static_cast<int>(config.agents.heartbeat_s);
  auto channel =
      agents::AgentChannel::create(*registry, *context.database, *context.bus, inventory.get(),
                                   context.clock, context.metrics, settings);
  SENTINEL_TRY(agents::register_command_routes(context.router, *channel, *context.audit));
  gateway::AgentChannelOptions listener_options;
  listener_options.listen = config.agents.listen;
  listener_options.ca_file = ca->ca_file();
  listener_options.cert_file = channel_files.cert_file;
  listener_options.key_file = channel_files.key_file;
  SENTINEL_ASSIGN(
      listener, gateway::AgentChannelListener::create(listener_options, *channel, context.metrics));

  context.services.push_back(registry.get());
  context.services.push_back(channel.get());
  context.services.push_back(listener.get());
  context.services.push_back(retention.get());
  context.event_retention = std::move(retention);
  context.inventory = std::move(inventory);
  context.event_store = std::move(event_store);
  context.agent_channel = std::move(channel);
  context.agent_listener = std::move(listener);
  context.agent_ca = std::move(ca);
  context.agent_registry = std::move(registry);
  context.enrollment = std::move(enrollment);
  context.agent_channel_files = std::move(channel_files);
  return ok();
}

Status build_alerts(ModuleContext& context) {
  auto service =
      alerts::AlertService::create(*context.database, *context.audit, *context.bus, context.clock);
  SENTINEL_TRY(alerts::register_alert_routes(context.router, *service));
  context.alerts = std::move(service);
  return ok();
}

// Rules over every stored event; what they find goes to the alerts service.
Status build_detect(ModuleContext& context) {
  detect::DetectOptions options;
  options.rules_dirs = context.config.detection.rules_dirs;
  options.queue_events = static_cast<std::size_t>(context.config.detection.queue_events);
  agents::AgentRegistry* registry = context.agent_registry.get();
  detect::HostNameLookup host_names;
  if (registry != nullptr) {
    host_names = [registry](const std::string& agent_id) {
      Result<agents::AgentRecord> agent = registry->get(agent_id);
      return agent ? agent->facts.hostname : std::string();
    };
  }
  alerts::AlertService* alerts = context.alerts.get();
  // A rule's block request goes to the firewall's active response (only queued here) once its
  // alert is stored. That module is built after this one, so it is looked up per detection;
  // a process without the firewall module has none.
  auto sink = [alerts, &context](const detection::Detection& detection) {
    Result<alerts::Alert> stored = alerts->record(detection);
    if (!stored) {
      spdlog::get("server")->error("detect: alert for rule {} not stored: {}", detection.rule_id,
                                   stored.error().message);
      return;
    }
    if (detection.response && context.active_response) {
      context.active_response->submit(detection, stored->id);
    }
  };
  SENTINEL_ASSIGN(service, detect::DetectService::create(*context.bus, std::move(options),
                                                         std::move(host_names), std::move(sink),
                                                         context.metrics, context.clock));
  SENTINEL_TRY(detect::register_rule_routes(context.router, *service, *context.audit));
  context.services.push_back(service.get());
  context.detect = std::move(service);
  return ok();
}

// Scans inside the configured scopes, run by the server's own engine.
Status build_scanner(ModuleContext& context) {
  scanner::ScannerOptions options;
  options.scopes = context.config.scanner.scopes;
  options.allow_raw = context.config.scanner.raw_sockets;
  options.schedule_min_interval =
      std::chrono::seconds(context.config.scanner.schedule_min_interval_s);
  options.nmap_path = context.config.scanner.nmap_path;
  options.nmap_timeout = std::chrono::seconds(context.config.scanner.nmap_timeout_s);
  std::unique_ptr<scanner::ServiceDetector> detector;
  if (context.config.scanner.service_detection) {
    // nmap's probe file when nmap is installed, our built-in probes otherwise.
    auto probes =
        std::make_shared<const scan::ServiceProbes>(scan::ServiceProbes::system_or_builtin());
    detector = scanner::make_engine_service_detector(std::move(probes));
  }
  // Jobs split across agents need the agent channel, when this process runs it.
  std::unique_ptr<scanner::ScanAgents> agents;
  if (context.agent_registry && context.agent_channel && context.inventory) {
    agents = scanner::make_scan_agents(*context.agent_registry, *context.agent_channel,
                                       *context.inventory);
  }
  // A schedule's due runs start only while its creator may start scans, as the auth service
  // resolves their roles at that moment.
  auth::AuthService* auth = context.auth.get();
  scanner::CreatorLookup creators = [auth](std::int64_t user_id) {
    return auth->identity_of(user_id);
  };
  scanner::ScannerDependencies dependencies{.database = *context.database,
                                            .audit = *context.audit,
                                            .bus = *context.bus,
                                            .clock = context.clock,
                                            .resolver = nullptr,
                                            .detector = std::move(detector),
                                            .agents = std::move(agents),
                                            .creators = std::move(creators)};
  SENTINEL_ASSIGN(service,
                  scanner::ScannerService::create(std::move(dependencies), std::move(options)));
  // What nmap calls each port, for the ports no service was named on (no names without nmap).
  SENTINEL_TRY(scanner::register_scanner_routes(
      context.router, *service, std::make_shared<const scan::PortNames>(scan::PortNames::load())));
  context.services.push_back(service.get());
  context.scanner = std::move(service);
  return ok();
}

// Firewall policies: versions, assignments, validation, and the push to agents over the channel.
Status build_firewall(ModuleContext& context) {
  firewall::PolicyServiceOptions options;
  options.confirm_grace = std::chrono::seconds(context.config.firewall.confirm_grace_s);
  options.channel_listen = context.config.agents.listen;
  options.public_channel_url = context.config.agents.public_channel_url;
  // Blocks (ADR 0006 "Active response and blocks"): the allow-list, the block service that
  // sends blocks to agents, and the consumer of detections that ask for blocks.
  const ServerConfig& config = context.config;
  firewall::AllowListOptions allow_options;
  allow_options.endpoints = {{"gateway.listen", config.gateway.listen},
                             {"agents.listen", config.agents.listen},
                             {"agents.public_url", config.agents.public_url},
                             {"agents.public_channel_url", config.agents.public_channel_url}};
  // Feeds leave out what the allow-list holds in every compile; their agents get that at once.
  allow_options.changed = [&context] {
    if (context.firewall_feeds) context.firewall_feeds->allow_list_changed();
  };
  auto allow_list = firewall::AllowList::create(*context.database, *context.audit, context.clock,
                                                std::move(allow_options));
  SENTINEL_ASSIGN(blocks, firewall::BlockService::create(
                              {*context.database, *context.audit, *context.bus, context.clock,
                               *context.agent_registry, *context.agent_channel, *allow_list}));
  SENTINEL_TRY(
      firewall::register_block_routes(context.router, *blocks, *allow_list, context.clock));
  auto active_response = firewall::ActiveResponse::create(*blocks, *context.agent_registry);
  firewall::BlockService* block_service = blocks.get();
  auto active_blocks = [block_service](const std::string& agent_id) {
    std::vector<firewall::BlockToSend> out;
    auto active = block_service->active_blocks_for(agent_id);
    if (!active) {
      spdlog::get("server")->error("firewall: active blocks of agent={} unknown: {}", agent_id,
                                   active.error().message);
      return out;
    }
    for (const firewall::ActiveBlock& block : *active) {
      out.push_back({block.address, block.remaining_s});
    }
    return out;
  };
  // Feeds (ADR 0006 "Feeds"): fetched on their own thread; policies compile with their
  // contents, and the agents using a feed whose contents changed get their policy again.
  firewall::FeedServiceOptions feed_options;
  feed_options.file_root = std::filesystem::path(config.data_dir) / "feeds";
  firewall::FeedFetcherOptions fetcher_options;
  fetcher_options.file_root = feed_options.file_root;
  SENTINEL_ASSIGN(feeds,
                  firewall::FeedService::create(
                      {*context.database, *context.audit, context.clock, *context.agent_registry,
                       *allow_list, firewall::make_feed_fetcher(std::move(fetcher_options)),
                       [&context] { return context.firewall_policies.get(); }},
                      std::move(feed_options)));
  SENTINEL_TRY(firewall::register_feed_routes(context.router, *feeds));
  firewall::FeedService* feed_service = feeds.get();
  firewall::PolicyServiceDependencies dependencies{
      .database = *context.database,
      .audit = *context.audit,
      .bus = *context.bus,
      .clock = context.clock,
      .registry = *context.agent_registry,
      .channel = *context.agent_channel,
      .active_blocks = std::move(active_blocks),
      .feeds = [feed_service] { return feed_service->contents(); }};
  SENTINEL_ASSIGN(service,
                  firewall::PolicyService::create(std::move(dependencies), std::move(options)));
  SENTINEL_TRY(firewall::register_policy_routes(context.router, *service));
  // Stopped in reverse: feeds (they apply through the policies), policies, then active
  // response, then the blocks both of them use.
  context.services.push_back(blocks.get());
  context.services.push_back(active_response.get());
  context.services.push_back(service.get());
  context.services.push_back(feeds.get());
  context.firewall_feeds = std::move(feeds);
  context.firewall_policies = std::move(service);
  context.firewall_allow_list = std::move(allow_list);
  context.firewall_blocks = std::move(blocks);
  context.active_response = std::move(active_response);
  return ok();
}

gateway::GatewayOptions gateway_options(const ServerConfig& config) {
  gateway::GatewayOptions options;
  options.listen = config.gateway.listen;
  options.data_dir = config.data_dir;
  options.cert_file = config.gateway.tls.cert_file;
  options.key_file = config.gateway.tls.key_file;
  options.tls_min_version = config.gateway.tls.min_version;
  options.max_body_bytes = static_cast<std::size_t>(config.gateway.max_body_bytes);
  options.max_header_bytes = static_cast<std::size_t>(config.gateway.max_header_bytes);
  options.idle_timeout_s = static_cast<int>(config.gateway.idle_timeout_s);
  options.request_timeout_s = static_cast<int>(config.gateway.request_timeout_s);
  options.io_threads = static_cast<int>(config.gateway.io_threads);
  options.worker_threads = static_cast<int>(config.gateway.worker_threads);
  options.long_running_threads = static_cast<int>(config.gateway.long_running_threads);
  options.long_running_queue = static_cast<int>(config.gateway.long_running_queue);
  options.web_root = config.gateway.web_root;
  return options;
}

Status build_gateway(ModuleContext& context) {
  store::Database* database = context.database.get();
  auto ready = [database] { return database->query("SELECT 1").has_value(); };
  SENTINEL_ASSIGN(gateway,
                  gateway::Gateway::create(gateway_options(context.config), context.router,
                                           *context.auth, *context.bus, context.metrics, ready));
  context.gateway = std::move(gateway);
  context.services.push_back(context.gateway.get());
  return ok();
}

const std::map<std::string, Builder>& builders() {
  static const std::map<std::string, Builder> table = {
      {"store", build_store},     {"bus", build_bus},         {"audit", build_audit},
      {"auth", build_auth},       {"agents", build_agents},   {"alerts", build_alerts},
      {"detect", build_detect},   {"scanner", build_scanner}, {"firewall", build_firewall},
      {"gateway", build_gateway},
  };
  return table;
}

}  // namespace

Status build_modules(ModuleContext& context, const std::vector<std::string>& order) {
  for (const std::string& name : order) {
    const auto it = builders().find(name);
    if (it == builders().end()) return internal_error(fmt::format("module {}: no builder", name));
    if (Status status = it->second(context); !status) {
      Error error = std::move(status).error();
      error.message = fmt::format("module {}: {}", name, error.message);
      return error;
    }
    spdlog::get("server")->debug("module built name={}", name);
  }
  return ok();
}

}  // namespace sentinel::server
