#pragma once
// The numbered SQL migrations, compiled into the binary from migrations/NNNN_name.sql, and the
// runner that applies them (migrate() in database.h runs it over the embedded set).

#include <span>
#include <string>
#include <string_view>

#include "sentinel/store/database.h"

namespace sentinel::store {

/// One migration file: its number, name and SQL text (with backend tokens such as {{id}}).
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

/// Every embedded migration in ascending version order.
std::span<const Migration> embedded_migrations();

/// The SQL of `migration` for `backend` ("sqlite" or "postgresql"): {{id}} becomes that
/// backend's auto-increment primary key; any other {{token}} is an error.
Result<std::string> render_migration(const Migration& migration, std::string_view backend);

/// Applies every migration of `migrations` (ascending versions) not yet in schema_migrations,
/// each in its own transaction; on PostgreSQL under an advisory lock, so processes can race.
Status apply_migrations(Database& db, std::span<const Migration> migrations);

}  // namespace sentinel::store
