#include "auth_service_impl.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "sentinel/auth/password_policy.h"
#include "sentinel/auth/permissions.h"
#include "sentinel/common/crypto.h"
#include "sentinel/store/role_repository.h"
#include "sentinel/store/session_repository.h"
#include "sentinel/store/setting_repository.h"

namespace sentinel::auth {
namespace {

constexpr std::string_view kRequire2faSetting = "auth.require_2fa_roles";

std::shared_ptr<spdlog::logger> auth_logger() {
  if (auto logger = spdlog::get("auth")) return logger;
  return spdlog::default_logger();
}

}  // namespace

Result<std::unique_ptr<AuthService>> AuthService::create(store::Database& db, AuditLog& audit,
                                                         MetricsRegistry& metrics,
                                                         const Clock& clock, AuthConfig config) {
  auto service = std::make_unique<AuthServiceImpl>(db, audit, metrics, clock, std::move(config));
  SENTINEL_TRY(service->seed_builtin_roles());
  return std::unique_ptr<AuthService>(std::move(service));
}

AuthServiceImpl::AuthServiceImpl(store::Database& db, AuditLog& audit, MetricsRegistry& metrics,
                                 const Clock& clock, AuthConfig config)
    : db_(db),
      audit_(audit),
      metrics_(metrics),
      clock_(clock),
      config_(std::move(config)),
      hasher_(config_.password_cost),
      throttle_(config_, clock_),
      dummy_hash_(hasher_.hash(Secret(crypto::random_token(16))).value_or(std::string())),
      principals_(clock_, config_.principal_cache_ms, 100'000),
      logger_(auth_logger()) {}

Status AuthServiceImpl::seed_builtin_roles() {
  return db_.transact([&](store::Connection& connection) -> Status {
    store::RoleRepository roles(connection);
    const std::int64_t now = clock_.now_ms();
    for (const auto& builtin : builtin_roles()) {
      store::RoleRecord record{std::string(builtin.name),
                               std::string(builtin.description),
                               {builtin.permissions.begin(), builtin.permissions.end()},
                               true,
                               now,
                               now};
      std::sort(record.permissions.begin(), record.permissions.end());
      SENTINEL_TRY(roles.upsert_builtin(record));
    }
    return ok();
  });
}

Result<std::optional<Secret>> AuthServiceImpl::ensure_admin(std::optional<Secret> password) {
  Secret chosen = password ? *password : Secret(crypto::random_token(18));  // 24 characters
  SENTINEL_TRY(check_password_policy(chosen, "admin"));
  SENTINEL_ASSIGN(hash, hasher_.hash(chosen));
  bool created = false;
  SENTINEL_TRY(db_.transact([&](store::Connection& connection) -> Status {
    store::UserRepository users(connection);
    SENTINEL_ASSIGN(count, users.count());
    if (count > 0) return ok();
    const std::int64_t now = clock_.now_ms();
    store::UserRecord admin;
    admin.username = "admin";
    admin.display_name = "Administrator";
    admin.password_hash = hash;
    admin.created_at_ms = now;
    admin.updated_at_ms = now;
    admin.roles = {"admin"};
    SENTINEL_TRY(users.insert(admin));
    created = true;
    return ok();
  }));
  if (!created) return std::optional<Secret>();
  audit("system", "user.create", "user:admin", {}, "success", R"({"bootstrap":true})");
  logger_->info("created the initial admin user");
  return std::optional<Secret>(std::move(chosen));
}

Result<Principal> AuthServiceImpl::principal_of(store::Connection& connection, std::int64_t user_id,
                                                std::string username) {
  SENTINEL_ASSIGN(roles, store::RoleRepository(connection).roles_of_user(user_id));
  Principal principal;
  principal.user_id = user_id;
  principal.username = std::move(username);
  for (const auto& role : roles) {
    principal.roles.push_back(role.name);
    principal.permissions.insert(role.permissions.begin(), role.permissions.end());
  }
  return principal;
}

Status AuthServiceImpl::check_assignable_roles(store::Connection& connection,
                                               const Principal& caller,
                                               const std::vector<std::string>& roles,
                                               const std::vector<std::string>& current) {
  SENTINEL_TRY(check_roles_exist(connection, roles));
  store::RoleRepository repository(connection);
  for (const auto& name : roles) {
    if (std::find(current.begin(), current.end(), name) != current.end()) continue;
    SENTINEL_ASSIGN(role, repository.find(name));
    for (const auto& permission : role->permissions) {
      if (!caller.has(permission)) {
        return permission_denied("You cannot give the role \"" + name + "\": it grants \"" +
                                 permission + "\", which you lack.");
      }
    }
  }
  return ok();
}

Result<std::vector<std::string>> AuthServiceImpl::require_2fa_roles(store::Connection& connection) {
  SENTINEL_ASSIGN(value, store::SettingRepository(connection).get(kRequire2faSetting));
  std::vector<std::string> roles;
  if (!value) return roles;
  std::string word;
  for (char c : *value + " ") {
    if (c != ' ') {
      word += c;
    } else if (!word.empty()) {
      roles.push_back(std::move(word));
      word.clear();
    }
  }
  return roles;
}

Result<bool> AuthServiceImpl::roles_require_2fa(store::Connection& connection,
                                                const std::vector<std::string>& roles) {
  SENTINEL_ASSIGN(required, require_2fa_roles(connection));
  return std::any_of(roles.begin(), roles.end(), [&](const std::string& role) {
    return std::find(required.begin(), required.end(), role) != required.end();
  });
}

Status AuthServiceImpl::put_require_2fa_roles(store::Connection& connection,
                                              const std::vector<std::string>& roles) {
  std::string value;
  for (const auto& role : roles) value += (value.empty() ? "" : " ") + role;
  return store::SettingRepository(connection).put(kRequire2faSetting, value, clock_.now_ms());
}

Status AuthServiceImpl::check_roles_exist(store::Connection& connection,
                                          const std::vector<std::string>& roles) {
  if (roles.empty()) return invalid_argument("A user needs at least one role.", "roles");
  store::RoleRepository repository(connection);
  for (const auto& role : roles) {
    SENTINEL_ASSIGN(found, repository.find(role));
    if (!found) return invalid_argument("Unknown role \"" + role + "\".", "roles");
  }
  return ok();
}

Result<store::UserRecord> AuthServiceImpl::load_user(store::Connection& connection,
                                                     std::int64_t id) {
  SENTINEL_ASSIGN(user, store::UserRepository(connection).find_by_id(id));
  if (!user) return not_found("No such user.");
  return std::move(*user);
}

Status AuthServiceImpl::check_password(const store::UserRecord& user, const Secret& password,
                                       std::string_view field) {
  // Guessing through a stolen session is throttled like a login.
  Autocommit connection(db_);
  const std::vector<std::string> keys = {LoginThrottle::account_key(user.username)};
  SENTINEL_ASSIGN(locked, throttle_.seconds_locked(connection, keys));
  if (locked > 0) return rate_limited("Too many wrong passwords; try again later.");
  if (!hasher_.verify(password, user.password_hash)) {
    SENTINEL_TRY(throttle_.record_failure(connection, keys));
    return invalid_argument("The password is wrong.", std::string(field));
  }
  return ok();
}

Status AuthServiceImpl::require_session(const Principal& caller) {
  if (caller.kind != CredentialKind::kSession) {
    return permission_denied("This action needs a signed-in session, not an API token.");
  }
  return ok();
}

void AuthServiceImpl::audit(std::string_view actor, std::string_view action,
                            std::string_view target, const ClientInfo& client,
                            std::string_view outcome, std::string details_json) {
  // Every audited action may change who can do what: cached callers are loaded afresh.
  principals_.invalidate_all();
  AuditRecord record{std::string(actor.substr(0, 64)),
                     std::string(action),
                     std::string(target),
                     client.source_address,
                     std::string(outcome),
                     std::move(details_json)};
  auto recorded = audit_.record(record);
  if (!recorded) {
    logger_->error("audit record failed action={} error={}", action, recorded.error().message);
  }
}

void AuthServiceImpl::update_session_gauge() {
  Autocommit connection(db_);
  const std::int64_t now = clock_.now_ms();
  auto live = store::SessionRepository(connection).count_live(now, now - config_.session_idle_ms);
  if (live) {
    metrics_.set_gauge("sentinel_sessions_active", "Live login sessions", {},
                       static_cast<double>(*live));
  }
}

UserView user_view(const store::UserRecord& user) {
  return {user.id,       user.username,     user.display_name,  user.roles,
          user.disabled, user.totp_enabled, user.created_at_ms, user.updated_at_ms};
}

}  // namespace sentinel::auth
