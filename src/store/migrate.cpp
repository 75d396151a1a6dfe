#include <fmt/format.h>

#include <chrono>
#include <set>
#include <string>

#include "migrations.h"
#include "script_connection.h"
#include "sentinel/store/database.h"
#include "store_logger.h"

namespace sentinel::store {

Result<std::string> render_migration(const Migration& migration, std::string_view backend) {
  std::string sql(migration.sql);
  const std::string_view token = "{{id}}";
  const std::string_view id =
      backend == "postgresql" ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
  for (auto at = sql.find(token); at != std::string::npos; at = sql.find(token, at + id.size())) {
    sql.replace(at, token.size(), id);
  }
  if (auto at = sql.find("{{"); at != std::string::npos) {
    return internal_error(fmt::format("migration {:04}_{}: unknown token {}", migration.version,
                                      migration.name, sql.substr(at, sql.find("}}", at) + 2 - at)));
  }
  return sql;
}

namespace {

// Serializes migration runs of every process sharing one PostgreSQL database.
constexpr std::string_view kAdvisoryLock = "SELECT pg_advisory_xact_lock(7355608)";

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

bool is_postgres(const Database& db) { return db.backend() == "postgresql"; }

Status lock_if_postgres(Connection& connection, bool postgres) {
  if (postgres) SENTINEL_TRY(connection.query(kAdvisoryLock));
  return ok();
}

Status run_script(Connection& connection, const std::string& sql) {
  // Both backends hand out ScriptConnections; the public interface just does not show it.
  auto* script = dynamic_cast<ScriptConnection*>(&connection);
  if (script == nullptr) return internal_error("migrations need a sqlite or postgresql connection");
  return script->execute_script(sql);
}

Status apply(Database& db, const Migration& migration) {
  bool postgres = is_postgres(db);
  SENTINEL_ASSIGN(sql, render_migration(migration, db.backend()));
  bool applied_now = false;
  SENTINEL_TRY(db.transact([&](Connection& connection) -> Status {
    SENTINEL_TRY(lock_if_postgres(connection, postgres));
    SENTINEL_ASSIGN(existing, connection.query("SELECT 1 FROM schema_migrations WHERE version = $1",
                                               {std::int64_t{migration.version}}));
    if (!existing.empty()) return ok();  // another process got there first
    SENTINEL_TRY(run_script(connection, sql));
    std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    SENTINEL_TRY(connection.execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        {std::int64_t{migration.version}, std::string(migration.name), now_ms}));
    applied_now = true;
    return ok();
  }));
  if (applied_now) {
    store_logger()->info("migration applied version={} name={} backend={}", migration.version,
                         migration.name, db.backend());
  }
  return ok();
}

}  // namespace

Status apply_migrations(Database& db, std::span<const Migration> migrations) {
  bool postgres = is_postgres(db);
  // Under the lock too: concurrent CREATE TABLE IF NOT EXISTS can still collide on PostgreSQL.
  SENTINEL_TRY(db.transact([&](Connection& connection) -> Status {
    SENTINEL_TRY(lock_if_postgres(connection, postgres));
    SENTINEL_TRY(connection.execute(kCreateTable));
    return ok();
  }));
  SENTINEL_ASSIGN(rows, db.query("SELECT version FROM schema_migrations"));
  std::set<std::int64_t> applied;
  for (const Row& row : rows) applied.insert(row.integer(0));
  for (const Migration& migration : migrations) {
    if (applied.contains(migration.version)) continue;
    auto result = apply(db, migration);
    if (!result) {
      Error error = std::move(result).error();
      error.message =
          fmt::format("migration {:04}_{}: {}", migration.version, migration.name, error.message);
      return error;
    }
  }
  return ok();
}

Status migrate(Database& db) { return apply_migrations(db, embedded_migrations()); }

}  // namespace sentinel::store
