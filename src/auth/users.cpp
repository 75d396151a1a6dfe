// Users: create, list, update, disable, delete, unlock.

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "auth_service_impl.h"
#include "sentinel/auth/password_policy.h"
#include "sentinel/store/api_token_repository.h"
#include "sentinel/store/session_repository.h"

namespace sentinel::auth {
namespace {

constexpr std::string_view kAdminRole = "admin";
constexpr std::size_t kMaxDisplayName = 128;

bool has_role(const std::vector<std::string>& roles, std::string_view role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::vector<std::string> sorted_unique(std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

std::string target_of(std::int64_t id) { return "user:" + std::to_string(id); }

}  // namespace

Result<std::vector<UserView>> AuthServiceImpl::list_users() {
  Autocommit connection(db_);
  SENTINEL_ASSIGN(users, store::UserRepository(connection).list());
  std::vector<UserView> views;
  views.reserve(users.size());
  for (const auto& user : users) views.push_back(user_view(user));
  return views;
}

Result<UserView> AuthServiceImpl::get_user(std::int64_t id) {
  Autocommit connection(db_);
  SENTINEL_ASSIGN(user, load_user(connection, id));
  return user_view(user);
}

Result<Identity> AuthServiceImpl::identity_of(std::int64_t user_id) {
  Autocommit connection(db_);
  SENTINEL_ASSIGN(found, load_user(connection, user_id));
  SENTINEL_ASSIGN(principal, principal_of(connection, found.id, found.username));
  SENTINEL_ASSIGN(role_requires_2fa, roles_require_2fa(connection, found.roles));
  return Identity{user_view(found), std::move(principal.permissions),
                  role_requires_2fa && !found.totp_enabled};
}

Result<UserView> AuthServiceImpl::create_user(const Principal& caller, const NewUser& user,
                                              const ClientInfo& client) {
  SENTINEL_TRY(check_username(user.username));
  if (user.display_name.size() > kMaxDisplayName) {
    return invalid_argument("The display name is too long.", "display_name");
  }
  SENTINEL_TRY(check_password_policy(user.password, user.username));
  SENTINEL_ASSIGN(hash, hasher_.hash(user.password));
  const std::int64_t now = clock_.now_ms();
  store::UserRecord record;
  record.username = user.username;
  record.display_name = user.display_name;
  record.password_hash = hash;
  record.created_at_ms = now;
  record.updated_at_ms = now;
  record.roles = sorted_unique(user.roles);
  SENTINEL_TRY(db_.transact([&](store::Connection& tx) -> Status {
    SENTINEL_TRY(check_assignable_roles(tx, caller, record.roles, {}));
    auto id = store::UserRepository(tx).insert(record);
    if (!id && id.error().code == ErrorCode::kConflict) {
      return conflict("The username \"" + user.username + "\" is taken.", "username");
    }
    if (!id) return std::move(id).error();
    record.id = *id;
    return ok();
  }));
  boost::json::object details{{"username", record.username}};
  details["roles"] = boost::json::array(record.roles.begin(), record.roles.end());
  audit(caller.username, "user.create", target_of(record.id), client, "success",
        boost::json::serialize(details));
  return user_view(record);
}

Result<UserView> AuthServiceImpl::update_user(const Principal& caller, std::int64_t id,
                                              const UserUpdate& update, const ClientInfo& client) {
  if (update.display_name && update.display_name->size() > kMaxDisplayName) {
    return invalid_argument("The display name is too long.", "display_name");
  }
  if (update.disabled.value_or(false) && id == caller.user_id) {
    return invalid_argument("You cannot disable yourself.", "disabled");
  }
  std::optional<std::string> new_hash;
  store::UserRecord user;
  if (update.password) {
    // Hash before the transaction: argon2id is slow and must not hold the write lock.
    Autocommit connection(db_);
    SENTINEL_ASSIGN(current, load_user(connection, id));
    SENTINEL_TRY(check_password_policy(*update.password, current.username));
    SENTINEL_ASSIGN(hash, hasher_.hash(*update.password));
    new_hash = std::move(hash);
  }
  bool ended_sessions = false;
  SENTINEL_TRY(db_.transact([&](store::Connection& tx) -> Status {
    store::UserRepository users(tx);
    SENTINEL_ASSIGN(loaded, load_user(tx, id));
    user = std::move(loaded);
    const std::vector<std::string> old_roles = user.roles;
    const bool was_enabled_admin = !user.disabled && has_role(user.roles, kAdminRole);
    if (update.display_name) user.display_name = *update.display_name;
    if (update.disabled) user.disabled = *update.disabled;
    if (update.roles) {
      user.roles = sorted_unique(*update.roles);
      SENTINEL_TRY(check_assignable_roles(tx, caller, user.roles, old_roles));
    }
    if (was_enabled_admin && (user.disabled || !has_role(user.roles, kAdminRole))) {
      SENTINEL_ASSIGN(others, users.count_enabled_with_role(kAdminRole, id));
      if (others == 0) {
        return conflict("This is the last enabled admin; make another admin first.",
                        update.roles ? "roles" : "disabled");
      }
    }
    const std::int64_t now = clock_.now_ms();
    SENTINEL_TRY(users.update_profile(id, user.display_name, user.disabled, now));
    if (update.roles) SENTINEL_TRY(users.set_roles(id, user.roles));
    if (new_hash) SENTINEL_TRY(users.set_password_hash(id, *new_hash, now));
    if (user.disabled || new_hash) {
      SENTINEL_TRY(store::SessionRepository(tx).remove_for_user(id));
      ended_sessions = true;
    }
    user.updated_at_ms = now;
    return ok();
  }));
  if (ended_sessions) update_session_gauge();

  boost::json::object details;
  if (update.display_name) details["display_name"] = *update.display_name;
  if (update.disabled) details["disabled"] = *update.disabled;
  if (update.roles) details["roles"] = boost::json::array(user.roles.begin(), user.roles.end());
  if (update.password) details["password"] = "changed";
  const bool disabling = update.disabled.value_or(false);
  audit(caller.username, disabling ? "user.disable" : "user.update", target_of(id), client,
        "success", boost::json::serialize(details));
  return user_view(user);
}

Status AuthServiceImpl::delete_user(const Principal& caller, std::int64_t id,
                                    const ClientInfo& client) {
  if (id == caller.user_id) return invalid_argument("You cannot delete yourself.", "id");
  std::string username;
  SENTINEL_TRY(db_.transact([&](store::Connection& tx) -> Status {
    store::UserRepository users(tx);
    SENTINEL_ASSIGN(user, load_user(tx, id));
    username = user.username;
    if (!user.disabled && has_role(user.roles, kAdminRole)) {
      SENTINEL_ASSIGN(others, users.count_enabled_with_role(kAdminRole, id));
      if (others == 0) return conflict("This is the last enabled admin; it cannot be deleted.");
    }
    SENTINEL_TRY(store::SessionRepository(tx).remove_for_user(id));
    SENTINEL_TRY(store::ApiTokenRepository(tx).remove_for_user(id));
    SENTINEL_TRY(users.remove(id));
    return ok();
  }));
  update_session_gauge();
  audit(caller.username, "user.delete", target_of(id), client, "success",
        boost::json::serialize(boost::json::object{{"username", username}}));
  return ok();
}

Status AuthServiceImpl::unlock_user(const Principal& caller, std::int64_t id,
                                    const ClientInfo& client) {
  Autocommit connection(db_);
  SENTINEL_ASSIGN(user, load_user(connection, id));
  SENTINEL_TRY(throttle_.clear(connection, LoginThrottle::account_key(user.username)));
  audit(caller.username, "user.unlock", target_of(id), client, "success");
  return ok();
}

}  // namespace sentinel::auth
