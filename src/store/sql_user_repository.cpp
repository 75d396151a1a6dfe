#include <map>

#include "sentinel/store/user_repository.h"

namespace sentinel::store {
namespace {

constexpr std::string_view kColumns =
    "SELECT id, username, display_name, password_hash, disabled, created_at, updated_at, "
    "totp_secret, totp_pending_secret, totp_enabled, totp_last_step FROM users ";

UserRecord user_from(const Row& row) {
  UserRecord user;
  user.id = row.integer(0);
  user.username = row.text(1);
  user.display_name = row.text(2);
  user.password_hash = row.text(3);
  user.disabled = row.integer(4) != 0;
  user.created_at_ms = row.integer(5);
  user.updated_at_ms = row.integer(6);
  user.totp_secret = row.text(7);
  user.totp_pending_secret = row.text(8);
  user.totp_enabled = row.integer(9) != 0;
  user.totp_last_step = row.optional_integer(10);
  return user;
}

}  // namespace

Result<std::int64_t> UserRepository::insert(const UserRecord& user) {
  SENTINEL_ASSIGN(rows, connection_.query(
                            "INSERT INTO users (username, display_name, password_hash, disabled, "
                            "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                            {user.username, user.display_name, user.password_hash,
                             std::int64_t{user.disabled}, user.created_at_ms, user.updated_at_ms}));
  if (rows.empty()) return internal_error("insert into users returned no id");
  const std::int64_t id = rows.front().integer(0);
  SENTINEL_TRY(set_roles(id, user.roles));
  return id;
}

Result<std::vector<UserRecord>> UserRepository::read_users(const Rows& rows) {
  std::vector<UserRecord> users;
  users.reserve(rows.size());
  for (const auto& row : rows) {
    users.push_back(user_from(row));
    SENTINEL_ASSIGN(roles, roles_of(users.back().id));
    users.back().roles = std::move(roles);
  }
  return users;
}

Result<std::optional<UserRecord>> UserRepository::find_by_id(std::int64_t id) {
  SENTINEL_ASSIGN(rows, connection_.query(std::string(kColumns) + "WHERE id = $1", {id}));
  SENTINEL_ASSIGN(users, read_users(rows));
  if (users.empty()) return std::optional<UserRecord>();
  return std::optional<UserRecord>(std::move(users.front()));
}

Result<std::optional<UserRecord>> UserRepository::find_by_username(std::string_view username) {
  SENTINEL_ASSIGN(rows, connection_.query(std::string(kColumns) + "WHERE username = $1",
                                          {std::string(username)}));
  SENTINEL_ASSIGN(users, read_users(rows));
  if (users.empty()) return std::optional<UserRecord>();
  return std::optional<UserRecord>(std::move(users.front()));
}

Result<std::vector<UserRecord>> UserRepository::list() {
  SENTINEL_ASSIGN(rows, connection_.query(std::string(kColumns) + "ORDER BY id"));
  SENTINEL_ASSIGN(role_rows,
                  connection_.query("SELECT user_id, role FROM user_roles ORDER BY user_id, role"));
  std::map<std::int64_t, std::vector<std::string>> roles;
  for (const auto& row : role_rows) roles[row.integer(0)].push_back(row.text(1));
  std::vector<UserRecord> users;
  users.reserve(rows.size());
  for (const auto& row : rows) {
    users.push_back(user_from(row));
    users.back().roles = roles[users.back().id];
  }
  return users;
}

Result<std::int64_t> UserRepository::count() {
  SENTINEL_ASSIGN(rows, connection_.query("SELECT COUNT(*) FROM users"));
  return rows.front().integer(0);
}

Status UserRepository::update_profile(std::int64_t id, std::string_view display_name, bool disabled,
                                      std::int64_t now_ms) {
  SENTINEL_TRY(connection_.execute(
      "UPDATE users SET display_name = $1, disabled = $2, updated_at = $3 WHERE id = $4",
      {std::string(display_name), std::int64_t{disabled}, now_ms, id}));
  return ok();
}

Status UserRepository::set_roles(std::int64_t id, const std::vector<std::string>& roles) {
  SENTINEL_TRY(connection_.execute("DELETE FROM user_roles WHERE user_id = $1", {id}));
  for (const auto& role : roles) {
    SENTINEL_TRY(
        connection_.execute("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)", {id, role}));
  }
  return ok();
}

Status UserRepository::set_password_hash(std::int64_t id, std::string_view hash,
                                         std::int64_t now_ms) {
  SENTINEL_TRY(
      connection_.execute("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3",
                          {std::string(hash), now_ms, id}));
  return ok();
}

Status UserRepository::set_totp_pending(std::int64_t id, std::string_view secret,
                                        std::int64_t now_ms) {
  SENTINEL_TRY(connection_.execute(
      "UPDATE users SET totp_pending_secret = $1, updated_at = $2 WHERE id = $3",
      {std::string(secret), now_ms, id}));
  return ok();
}

Status UserRepository::enable_totp(std::int64_t id, std::int64_t now_ms) {
  SENTINEL_TRY(connection_.execute(
      "UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = '', "
      "totp_enabled = 1, updated_at = $1 WHERE id = $2",
      {now_ms, id}));
  return ok();
}

Status UserRepository::clear_totp(std::int64_t id, std::int64_t now_ms) {
  SENTINEL_TRY(connection_.execute(
      "UPDATE users SET totp_secret = '', totp_pending_secret = '', totp_enabled = 0, "
      "totp_last_step = NULL, updated_at = $1 WHERE id = $2",
      {now_ms, id}));
  return replace_recovery_codes(id, {});
}

Result<bool> UserRepository::advance_totp_step(std::int64_t id, std::int64_t step) {
  // One conditional UPDATE, so that two replicas cannot both accept the same code.
  SENTINEL_ASSIGN(changed,
                  connection_.execute("UPDATE users SET totp_last_step = $1 WHERE id = $2 AND "
                                      "(totp_last_step IS NULL OR totp_last_step < $3)",
                                      {step, id, step}));
  return changed == 1;
}

Status UserRepository::replace_recovery_codes(std::int64_t id,
                                              const std::vector<std::string>& code_hashes) {
  SENTINEL_TRY(connection_.execute("DELETE FROM recovery_codes WHERE user_id = $1", {id}));
  for (const auto& hash : code_hashes) {
    SENTINEL_TRY(connection_.execute(
        "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)", {id, hash}));
  }
  return ok();
}

Result<bool> UserRepository::consume_recovery_code(std::int64_t id, std::string_view code_hash,
                                                   std::int64_t now_ms) {
  SENTINEL_ASSIGN(
      changed, connection_.execute("UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND "
                                   "code_hash = $3 AND used_at IS NULL",
                                   {now_ms, id, std::string(code_hash)}));
  return changed == 1;
}

Result<std::int64_t> UserRepository::unused_recovery_codes(std::int64_t id) {
  SENTINEL_ASSIGN(rows,
                  connection_.query("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND "
                                    "used_at IS NULL",
                                    {id}));
  return rows.front().integer(0);
}

Result<std::int64_t> UserRepository::count_enabled_with_role(std::string_view role,
                                                             std::int64_t except_id) {
  SENTINEL_ASSIGN(
      rows, connection_.query("SELECT COUNT(*) FROM users u JOIN user_roles r ON r.user_id = u.id "
                              "WHERE r.role = $1 AND u.disabled = 0 AND u.id <> $2",
                              {std::string(role), except_id}));
  return rows.front().integer(0);
}

Result<std::int64_t> UserRepository::count_with_role(std::string_view role) {
  SENTINEL_ASSIGN(rows, connection_.query("SELECT COUNT(*) FROM user_roles WHERE role = $1",
                                          {std::string(role)}));
  return rows.front().integer(0);
}

Result<bool> UserRepository::remove(std::int64_t id) {
  SENTINEL_TRY(connection_.execute("DELETE FROM user_roles WHERE user_id = $1", {id}));
  SENTINEL_TRY(connection_.execute("DELETE FROM recovery_codes WHERE user_id = $1", {id}));
  SENTINEL_ASSIGN(changed, connection_.execute("DELETE FROM users WHERE id = $1", {id}));
  return changed == 1;
}

Result<std::vector<std::string>> UserRepository::roles_of(std::int64_t id) {
  SENTINEL_ASSIGN(rows, connection_.query(
                            "SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role", {id}));
  std::vector<std::string> roles;
  for (const auto& row : rows) roles.push_back(row.text(0));
  return roles;
}

}  // namespace sentinel::store
