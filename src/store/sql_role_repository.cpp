#include "sentinel/store/role_repository.h"
#include "sql_word_list.h"

namespace sentinel::store {
namespace {

constexpr std::string_view kColumns =
    "SELECT r.name, r.description, r.permissions, r.builtin, r.created_at, r.updated_at "
    "FROM roles r ";

std::vector<RoleRecord> roles_from(const Rows& rows) {
  std::vector<RoleRecord> roles;
  roles.reserve(rows.size());
  for (const auto& row : rows) {
    roles.push_back({row.text(0), row.text(1), split_words(row.text(2)), row.integer(3) != 0,
                     row.integer(4), row.integer(5)});
  }
  return roles;
}

}  // namespace

Status RoleRepository::upsert_builtin(const RoleRecord& role) {
  SENTINEL_TRY(connection_.execute(
      "INSERT INTO roles (name, description, permissions, builtin, created_at, updated_at) "
      "VALUES ($1, $2, $3, 1, $4, $5) ON CONFLICT (name) DO UPDATE SET "
      "description = excluded.description, permissions = excluded.permissions, builtin = 1",
      {role.name, role.description, join_words(role.permissions), role.created_at_ms,
       role.updated_at_ms}));
  return ok();
}

Status RoleRepository::insert(const RoleRecord& role) {
  SENTINEL_TRY(connection_.execute(
      "INSERT INTO roles (name, description, permissions, builtin, created_at, updated_at) "
      "VALUES ($1, $2, $3, 0, $4, $5)",
      {role.name, role.description, join_words(role.permissions), role.created_at_ms,
       role.updated_at_ms}));
  return ok();
}

Result<std::optional<RoleRecord>> RoleRepository::find(std::string_view name) {
  SENTINEL_ASSIGN(
      rows, connection_.query(std::string(kColumns) + "WHERE r.name = $1", {std::string(name)}));
  auto roles = roles_from(rows);
  if (roles.empty()) return std::optional<RoleRecord>();
  return std::optional<RoleRecord>(std::move(roles.front()));
}

Result<std::vector<RoleRecord>> RoleRepository::list() {
  SENTINEL_ASSIGN(rows, connection_.query(std::string(kColumns) + "ORDER BY r.name"));
  return roles_from(rows);
}

Result<std::vector<RoleRecord>> RoleRepository::roles_of_user(std::int64_t user_id) {
  SENTINEL_ASSIGN(rows,
                  connection_.query(std::string(kColumns) + "JOIN user_roles u ON u.role = r.name "
                                                            "WHERE u.user_id = $1 ORDER BY r.name",
                                    {user_id}));
  return roles_from(rows);
}

Status RoleRepository::update(const RoleRecord& role) {
  SENTINEL_TRY(connection_.execute(
      "UPDATE roles SET description = $1, permissions = $2, updated_at = $3 WHERE name = $4",
      {role.description, join_words(role.permissions), role.updated_at_ms, role.name}));
  return ok();
}

Result<bool> RoleRepository::remove(std::string_view name) {
  SENTINEL_ASSIGN(changed, connection_.execute("DELETE FROM roles WHERE name = $1 AND builtin = 0",
                                               {std::string(name)}));
  return changed == 1;
}

}  // namespace sentinel::store
