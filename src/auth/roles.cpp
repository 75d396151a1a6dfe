// Roles (built-in and custom) and the auth settings.

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

#include "auth_service_impl.h"
#include "sentinel/auth/permissions.h"
#include "sentinel/store/role_repository.h"
#include "sentinel/store/user_repository.h"

namespace sentinel::auth {
namespace {

constexpr std::size_t kMaxDescription = 256;

RoleView role_view(const store::RoleRecord& record) {
  return {record.name, record.description, record.permissions, record.builtin};
}

Status check_role_name(std::string_view name) {
  const bool valid_chars = std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-';
  });
  if (name.empty() || name.size() > 64 || !valid_chars) {
    return invalid_argument("A role name has 1 to 64 characters: letters, digits, '.', '_', '-'.",
                            "name");
  }
  return ok();
}

/// Sorted, unique, known permissions that the caller holds.
Result<std::vector<std::string>> checked_permissions(const Principal& caller,
                                                     std::vector<std::string> permissions) {
  for (const auto& permission : permissions) {
    if (!is_permission(permission)) {
      return invalid_argument("Unknown permission \"" + permission + "\".", "permissions");
    }
    if (!caller.has(permission)) {
      Error error = permission_denied("You cannot grant \"" + permission + "\", which you lack.");
      error.field = "permissions";
      return error;
    }
  }
  std::sort(permissions.begin(), permissions.end());
  permissions.erase(std::unique(permissions.begin(), permissions.end()), permissions.end());
  return permissions;
}

std::string role_details(const store::RoleRecord& role) {
  boost::json::object details{{"description", role.description}};
  details["permissions"] = boost::json::array(role.permissions.begin(), role.permissions.end());
  return boost::json::serialize(details);
}

}  // namespace

Result<std::vector<RoleView>> AuthServiceImpl::list_roles() {
  Autocommit connection(db_);
  SENTINEL_ASSIGN(records, store::RoleRepository(connection).list());
  std::vector<RoleView> views;
  views.reserve(records.size());
  for (const auto& record : records) views.push_back(role_view(record));
  return views;
}

Result<RoleView> AuthServiceImpl::create_role(const Principal& caller, const RoleView& role,
                                              const ClientInfo& client) {
  SENTINEL_TRY(check_role_name(role.name));
  if (role.description.size() > kMaxDescription) {
    return invalid_argument("The description is too long.", "description");
  }
  SENTINEL_ASSIGN(permissions, checked_permissions(caller, role.permissions));
  const std::int64_t now = clock_.now_ms();
  const store::RoleRecord record{role.name, role.description, std::move(permissions), false, now,
                                 now};
  Autocommit connection(db_);
  auto inserted = store::RoleRepository(connection).insert(record);
  if (!inserted && inserted.error().code == ErrorCode::kConflict) {
    return conflict("A role named \"" + role.name + "\" exists.", "name");
  }
  SENTINEL_TRY(inserted);
  audit(caller.username, "role.create", "role:" + record.name, client, "success",
        role_details(record));
  return role_view(record);
}

Result<RoleView> AuthServiceImpl::update_role(const Principal& caller, std::string_view name,
                                              const RoleUpdate& update, const ClientInfo& client) {
  if (update.description && update.description->size() > kMaxDescription) {
    return invalid_argument("The description is too long.", "description");
  }
  std::optional<std::vector<std::string>> permissions;
  if (update.permissions) {
    SENTINEL_ASSIGN(checked, checked_permissions(caller, *update.permissions));
    permissions = std::move(checked);
  }
  store::RoleRecord record;
  SENTINEL_TRY(db_.transact([&](store::Connection& tx) -> Status {
    store::RoleRepository roles(tx);
    SENTINEL_ASSIGN(found, roles.find(name));
    if (!found) return not_found("No such role.");
    if (found->builtin) return permission_denied("Built-in roles cannot be changed.");
    record = std::move(*found);
    if (update.description) record.description = *update.description;
    if (permissions) record.permissions = *permissions;
    record.updated_at_ms = clock_.now_ms();
    return roles.update(record);
  }));
  audit(caller.username, "role.update", "role:" + record.name, client, "success",
        role_details(record));
  return role_view(record);
}

Status AuthServiceImpl::delete_role(const Principal& caller, std::string_view name,
                                    const ClientInfo& client) {
  SENTINEL_TRY(db_.transact([&](store::Connection& tx) -> Status {
    store::RoleRepository roles(tx);
    SENTINEL_ASSIGN(found, roles.find(name));
    if (!found) return not_found("No such role.");
    if (found->builtin) return permission_denied("Built-in roles cannot be deleted.");
    SENTINEL_ASSIGN(holders, store::UserRepository(tx).count_with_role(name));
    if (holders > 0) {
      return conflict("The role is assigned to " + std::to_string(holders) +
                      " user(s); take it away first.");
    }
    SENTINEL_TRY(roles.remove(name));
    SENTINEL_ASSIGN(required, require_2fa_roles(tx));
    const auto kept = std::remove(required.begin(), required.end(), std::string(name));
    if (kept != required.end()) {
      required.erase(kept, required.end());
      SENTINEL_TRY(put_require_2fa_roles(tx, required));
    }
    return ok();
  }));
  audit(caller.username, "role.delete", "role:" + std::string(name), client, "success");
  return ok();
}

Result<AuthSettings> AuthServiceImpl::settings() {
  Autocommit connection(db_);
  SENTINEL_ASSIGN(required, require_2fa_roles(connection));
  return AuthSettings{std::move(required), config_.session_idle_ms, config_.session_absolute_ms};
}

Result<AuthSettings> AuthServiceImpl::update_settings(const Principal& caller,
                                                      const AuthSettings& settings,
                                                      const ClientInfo& client) {
  std::vector<std::string> required = settings.require_2fa_roles;
  std::sort(required.begin(), required.end());
  required.erase(std::unique(required.begin(), required.end()), required.end());
  SENTINEL_TRY(db_.transact([&](store::Connection& tx) -> Status {
    store::RoleRepository roles(tx);
    for (const auto& role : required) {
      SENTINEL_ASSIGN(found, roles.find(role));
      if (!found) return invalid_argument("Unknown role \"" + role + "\".", "require_2fa_roles");
    }
    return put_require_2fa_roles(tx, required);
  }));
  boost::json::object details;
  details["require_2fa_roles"] = boost::json::array(required.begin(), required.end());
  audit(caller.username, "settings.update", "settings:auth", client, "success",
        boost::json::serialize(details));
  return AuthSettings{std::move(required), config_.session_idle_ms, config_.session_absolute_ms};
}

}  // namespace sentinel::auth
