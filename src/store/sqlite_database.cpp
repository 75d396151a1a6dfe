#include "sqlite_database.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cctype>
#include <filesystem>
#include <string>
#include <unordered_map>

#include "script_connection.h"
#include "store_logger.h"

namespace sentinel::store {
namespace {

// Beyond this many distinct SQL texts the cache is dropped and refilled; repositories use far
// fewer.
constexpr std::size_t kMaxCachedStatements = 512;
constexpr int kBusyTimeoutMs = 5000;

// Rewrites the portable $N placeholders as SQLite's ?N, leaving string literals, quoted
// identifiers and comments alone. ($N alone would be a named parameter in SQLite.)
std::string translate_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  std::size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      std::size_t end = sql.find(c, i + 1);
      // A doubled quote inside a literal is just two adjacent literals for this scan.
      end = end == std::string_view::npos ? sql.size() : end + 1;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (sql.substr(i, 2) == "--") {
      std::size_t end = sql.find('\n', i);
      end = end == std::string_view::npos ? sql.size() : end;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (sql.substr(i, 2) == "/*") {
      std::size_t end = sql.find("*/", i + 2);
      end = end == std::string_view::npos ? sql.size() : end + 2;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '$' && i + 1 < sql.size() &&
               std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      out.push_back('?');
      ++i;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

Error sqlite_error(sqlite3* db, int rc, std::string_view context) {
  std::string message = fmt::format("sqlite {}: {}", context, sqlite3_errmsg(db));
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return conflict(std::move(message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return unavailable(std::move(message));
    default:
      return internal_error(std::move(message));
  }
}

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};

// Resets a cached statement when a call is done with it, whatever the outcome.
class StatementUse {
 public:
  explicit StatementUse(sqlite3_stmt* statement) : statement_(statement) {}
  ~StatementUse() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;

 private:
  sqlite3_stmt* statement_;
};

Value column_value(sqlite3_stmt* statement, int column) {
  switch (sqlite3_column_type(statement, column)) {
    case SQLITE_INTEGER:
      return static_cast<std::int64_t>(sqlite3_column_int64(statement, column));
    case SQLITE_FLOAT:
      return sqlite3_column_double(statement, column);
    case SQLITE_NULL:
      return nullptr;
    default: {
      const auto* data = static_cast<const char*>(sqlite3_column_blob(statement, column));
      int size = sqlite3_column_bytes(statement, column);
      return data == nullptr ? std::string() : std::string(data, static_cast<std::size_t>(size));
    }
  }
}

}  // namespace

/// The one SQLite connection, with its statement cache. Used under SqliteDatabase's mutex.
class SqliteConnection final : public ScriptConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Result<Rows> query(std::string_view sql, const Params& params) override {
    Rows rows;
    SENTINEL_TRY(run(sql, params, &rows));
    return rows;
  }

  Result<std::int64_t> execute(std::string_view sql, const Params& params) override {
    // changes() keeps the count of the last DML statement, so DDL must not report it again.
    std::int64_t before = sqlite3_total_changes64(db_);
    SENTINEL_TRY(run(sql, params, nullptr));
    return sqlite3_total_changes64(db_) == before ? 0 : sqlite3_changes64(db_);
  }

  Status execute_script(std::string_view sql) override {
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db_, rc, "script");
    return ok();
  }

 private:
  Result<sqlite3_stmt*> prepare(std::string_view sql) {
    if (auto found = statements_.find(sql); found != statements_.end()) return found->second;
    std::string translated = translate_placeholders(sql);
    sqlite3_stmt* statement = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, translated.c_str(), static_cast<int>(translated.size()),
                                SQLITE_PREPARE_PERSISTENT, &statement, &tail);
    if (rc != SQLITE_OK) return sqlite_error(db_, rc, "prepare");
    if (statement == nullptr) return internal_error("sqlite prepare: empty statement");
    std::string_view rest(tail);
    if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
      sqlite3_finalize(statement);
      return internal_error("sqlite prepare: one statement per call");
    }
    if (statements_.size() >= kMaxCachedStatements) {
      for (auto& [text, cached] : statements_) sqlite3_finalize(cached);
      statements_.clear();
    }
    statements_.emplace(std::string(sql), statement);
    return statement;
  }

  Status bind(sqlite3_stmt* statement, const Params& params) {
    int expected = sqlite3_bind_parameter_count(statement);
    if (static_cast<std::size_t>(expected) != params.size()) {
      return internal_error(fmt::format("sqlite bind: statement takes {} parameters, got {}",
                                        expected, params.size()));
    }
    for (int i = 0; i < expected; ++i) {
      const Value& value = params[static_cast<std::size_t>(i)];
      int rc = SQLITE_OK;
      if (const auto* number = std::get_if<std::int64_t>(&value)) {
        rc = sqlite3_bind_int64(statement, i + 1, *number);
      } else if (const auto* real = std::get_if<double>(&value)) {
        rc = sqlite3_bind_double(statement, i + 1, *real);
      } else if (const auto* text = std::get_if<std::string>(&value)) {
        // The params outlive the statement's use, so SQLite need not copy the text.
        rc = sqlite3_bind_text64(statement, i + 1, text->data(), text->size(), SQLITE_STATIC,
                                 SQLITE_UTF8);
      } else {
        rc = sqlite3_bind_null(statement, i + 1);
      }
      if (rc != SQLITE_OK) return sqlite_error(db_, rc, "bind");
    }
    return ok();
  }

  Status run(std::string_view sql, const Params& params, Rows* rows) {
    SENTINEL_ASSIGN(statement, prepare(sql));
    StatementUse use(statement);
    SENTINEL_TRY(bind(statement, params));
    int columns = sqlite3_column_count(statement);
    while (true) {
      int rc = sqlite3_step(statement);
      if (rc == SQLITE_DONE) return ok();
      if (rc != SQLITE_ROW) return sqlite_error(db_, rc, "step");
      if (rows == nullptr) continue;
      std::vector<Value> values;
      values.reserve(static_cast<std::size_t>(columns));
      for (int column = 0; column < columns; ++column) {
        values.push_back(column_value(statement, column));
      }
      rows->emplace_back(std::move(values));
    }
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, StringHash, std::equal_to<>> statements_;
};

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::open(std::string_view path) {
  std::string file(path);
  if (file.empty()) return invalid_argument("sqlite: empty database path", "db");
  if (file != ":memory:") {
    auto parent = std::filesystem::path(file).parent_path();
    std::error_code ec;
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
      return invalid_argument(fmt::format("sqlite: directory {} does not exist", parent.string()),
                              "db");
    }
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  auto connection = std::make_unique<SqliteConnection>(db);  // closes db on every path below
  if (rc != SQLITE_OK) {
    return unavailable(
        fmt::format("sqlite open {}: {}", file, db ? sqlite3_errmsg(db) : "out of memory"));
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  SENTINEL_TRY(connection->execute_script(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"));
  store_logger()->info("database opened backend=sqlite path={}", file);
  return std::unique_ptr<SqliteDatabase>(new SqliteDatabase(std::move(connection)));
}

SqliteDatabase::SqliteDatabase(std::unique_ptr<SqliteConnection> connection)
    : connection_(std::move(connection)) {}

SqliteDatabase::~SqliteDatabase() = default;

Status SqliteDatabase::transact(const std::function<Status(Connection&)>& work) {
  std::lock_guard lock(mutex_);
  // IMMEDIATE takes the write lock up front, so two processes cannot deadlock upgrading reads.
  SENTINEL_TRY(connection_->execute_script("BEGIN IMMEDIATE"));
  Status outcome;
  try {
    outcome = work(*connection_);
    if (outcome) outcome = connection_->execute_script("COMMIT");
  } catch (...) {
    (void)connection_->execute_script("ROLLBACK");
    throw;
  }
  // After a failed statement SQLite may already have rolled back; a second ROLLBACK then fails.
  if (!outcome) (void)connection_->execute_script("ROLLBACK");
  return outcome;
}

Result<Rows> SqliteDatabase::query(std::string_view sql, const Params& params) {
  std::lock_guard lock(mutex_);
  return connection_->query(sql, params);
}

Result<std::int64_t> SqliteDatabase::execute(std::string_view sql, const Params& params) {
  std::lock_guard lock(mutex_);
  return connection_->execute(sql, params);
}

}  // namespace sentinel::store
