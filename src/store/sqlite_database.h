#pragma once
// SQLite backend: one connection in WAL mode behind a mutex, with a prepared-statement cache.

#include <memory>
#include <mutex>
#include <string_view>

#include "sentinel/store/database.h"

namespace sentinel::store {

class SqliteConnection;

/// A SQLite database file (or ":memory:"). Thread-safe: callers take turns on one connection;
/// a transaction holds it for its whole duration. Other processes wait up to 5 s for the lock.
class SqliteDatabase final : public Database {
 public:
  /// Opens or creates the file at `path` (its directory must exist); ":memory:" for a private
  /// in-memory database. Turns on WAL, synchronous=NORMAL and foreign keys.
  static Result<std::unique_ptr<SqliteDatabase>> open(std::string_view path);
  ~SqliteDatabase() override;

  std::string_view backend() const override { return "sqlite"; }
  Status transact(const std::function<Status(Connection&)>& work) override;
  Result<Rows> query(std::string_view sql, const Params& params = {}) override;
  Result<std::int64_t> execute(std::string_view sql, const Params& params = {}) override;

 private:
  explicit SqliteDatabase(std::unique_ptr<SqliteConnection> connection);

  // Recursive, so that a transaction's work calling back into this object fails with a SQL error
  // ("cannot start a transaction within a transaction") rather than deadlocking.
  std::recursive_mutex mutex_;
  std::unique_ptr<SqliteConnection> connection_;
};

}  // namespace sentinel::store
