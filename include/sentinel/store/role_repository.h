#pragma once
// Roles: named sets of permissions (table roles).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/store/database.h"

namespace sentinel::store {

/// A stored role. Built-in roles are seeded from code and never edited through the API.
struct RoleRecord {
  std::string name;
  std::string description;
  std::vector<std::string> permissions;  // sorted
  bool builtin = false;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

/// SQL access to roles over one connection. Not thread-safe.
class RoleRepository {
 public:
  explicit RoleRepository(Connection& connection) : connection_(connection) {}

  /// Inserts or refreshes a built-in role (its permissions follow the code).
  Status upsert_builtin(const RoleRecord& role);
  /// Inserts a custom role; kConflict when the name is taken.
  Status insert(const RoleRecord& role);
  Result<std::optional<RoleRecord>> find(std::string_view name);
  /// Every role, ordered by name.
  Result<std::vector<RoleRecord>> list();
  /// The roles assigned to a user (those that still exist).
  Result<std::vector<RoleRecord>> roles_of_user(std::int64_t user_id);
  /// Writes description and permissions.
  Status update(const RoleRecord& role);
  /// Deletes a custom role; false when there was none.
  Result<bool> remove(std::string_view name);

 private:
  Connection& connection_;
};

}  // namespace sentinel::store
