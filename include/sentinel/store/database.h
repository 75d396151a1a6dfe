#pragma once
// The SQL seam under every repository: one small interface, two backends (SQLite, PostgreSQL).
// Repositories are written once in portable SQL over it; placeholders are $1..$N on both.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::store {

/// A SQL parameter or column value. Booleans are integers 0/1; times are int64 milliseconds.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

/// One result row; columns in SELECT order.
class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  std::size_t size() const { return values_.size(); }
  bool is_null(std::size_t column) const;
  /// Integer column (PostgreSQL text results are parsed); 0 for NULL.
  std::int64_t integer(std::size_t column) const;
  /// Text column; "" for NULL.
  std::string text(std::size_t column) const;
  std::optional<std::string> optional_text(std::size_t column) const;
  std::optional<std::int64_t> optional_integer(std::size_t column) const;
  const Value& at(std::size_t column) const { return values_.at(column); }

 private:
  std::vector<Value> values_;
};

using Rows = std::vector<Row>;
using Params = std::vector<Value>;

/// A connection inside a transaction (or in autocommit mode). Not thread-safe: one user at a time.
class Connection {
 public:
  virtual ~Connection() = default;
  /// Runs one statement and returns its rows (RETURNING included).
  virtual Result<Rows> query(std::string_view sql, const Params& params = {}) = 0;
  /// Runs one statement and returns the number of rows it changed.
  virtual Result<std::int64_t> execute(std::string_view sql, const Params& params = {}) = 0;
};

/// A database: a pool of connections of one backend. Thread-safe.
/// Unique-constraint violations come back as ErrorCode::kConflict; every other failure as
/// kUnavailable (connection) or kInternal (SQL error) with the backend's message.
class Database {
 public:
  virtual ~Database() = default;
  /// "sqlite" or "postgresql".
  virtual std::string_view backend() const = 0;
  /// Runs `work` inside one transaction: commits when it returns success, rolls back otherwise.
  virtual Status transact(const std::function<Status(Connection&)>& work) = 0;
  /// Autocommit conveniences.
  virtual Result<Rows> query(std::string_view sql, const Params& params = {}) = 0;
  virtual Result<std::int64_t> execute(std::string_view sql, const Params& params = {}) = 0;
};

/// Opens the database named by `url`: "sqlite:PATH" (WAL mode), "sqlite::memory:", or
/// "postgresql://..." / "postgres://...". Does not run migrations.
Result<std::unique_ptr<Database>> open_database(const std::string& url);

/// Applies every numbered migration not yet applied (table schema_migrations), each in its own
/// transaction. Idempotent; safe to run from several processes at once on PostgreSQL.
Status migrate(Database& db);

}  // namespace sentinel::store
