#include "modules.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <functional>
#include <map>

#include "sentinel/auth/audit_routes.h"
#include "sentinel/auth/routes.h"

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
      {"store", build_store}, {"bus", build_bus},         {"audit", build_audit},
      {"auth", build_auth},   {"gateway", build_gateway},
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
