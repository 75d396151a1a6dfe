#include "postgres_database.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <charconv>
#include <chrono>

#include "script_connection.h"
#include "store_logger.h"

namespace sentinel::store {
namespace {

// How long a caller waits for a pooled connection before giving up.
constexpr auto kAcquireTimeout = std::chrono::seconds(30);

// Type OIDs from pg_type.h (server headers are not installed with libpq).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

Error connection_error(PGconn* connection, std::string_view context) {
  return unavailable(fmt::format("postgresql {}: {}", context, PQerrorMessage(connection)));
}

// Maps a failed result to our codes: unique violations are conflicts, lost connections are
// unavailable, everything else is a SQL error with the server's message.
Error result_error(PGconn* connection, const PGresult* result) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* text = result ? PQresultErrorMessage(result) : PQerrorMessage(connection);
  std::string message = fmt::format("postgresql: {}", text);
  while (!message.empty() && message.back() == '\n') message.pop_back();
  std::string_view sqlstate = state ? state : "";
  if (PQstatus(connection) != CONNECTION_OK ||
      (sqlstate.starts_with("08") && sqlstate != "08P01") || sqlstate.starts_with("57P")) {
    return unavailable(std::move(message));
  }
  // 40001 serialization failure and 40P01 deadlock: a concurrent change, worth a retry.
  if (sqlstate == "23505" || sqlstate == "40001" || sqlstate == "40P01") {
    return conflict(std::move(message));
  }
  return internal_error(std::move(message));
}

Value parse_value(const char* text, int length, Oid type) {
  std::string_view view(text, static_cast<std::size_t>(length));
  switch (type) {
    case kInt8Oid:
    case kInt4Oid:
    case kInt2Oid: {
      std::int64_t number = 0;
      std::from_chars(view.data(), view.data() + view.size(), number);
      return number;
    }
    case kFloat4Oid:
    case kFloat8Oid: {
      double real = 0;
      std::from_chars(view.data(), view.data() + view.size(), real);
      return real;
    }
    case kBoolOid:
      return std::int64_t{view == "t" ? 1 : 0};
    default:
      return std::string(view);
  }
}

Rows parse_rows(const PGresult* result) {
  int row_count = PQntuples(result);
  int column_count = PQnfields(result);
  Rows rows;
  rows.reserve(static_cast<std::size_t>(row_count));
  for (int row = 0; row < row_count; ++row) {
    std::vector<Value> values;
    values.reserve(static_cast<std::size_t>(column_count));
    for (int column = 0; column < column_count; ++column) {
      if (PQgetisnull(result, row, column)) {
        values.emplace_back(nullptr);
      } else {
        values.push_back(parse_value(PQgetvalue(result, row, column),
                                     PQgetlength(result, row, column), PQftype(result, column)));
      }
    }
    rows.emplace_back(std::move(values));
  }
  return rows;
}

void log_notice(void*, const char* message) {
  store_logger()->debug("postgresql notice: {}", message);
}

/// One borrowed libpq connection, seen through the Connection interface.
class PostgresConnection final : public ScriptConnection {
 public:
  explicit PostgresConnection(PGconn* connection) : connection_(connection) {}

  Result<Rows> query(std::string_view sql, const Params& params) override {
    SENTINEL_ASSIGN(result, run(sql, params));
    return parse_rows(result.get());
  }

  Result<std::int64_t> execute(std::string_view sql, const Params& params) override {
    SENTINEL_ASSIGN(result, run(sql, params));
    std::string_view tuples = PQcmdTuples(result.get());
    std::int64_t changed = 0;
    std::from_chars(tuples.data(), tuples.data() + tuples.size(), changed);
    return changed;
  }

  Status execute_script(std::string_view sql) override {
    ResultPtr result(PQexec(connection_, std::string(sql).c_str()), &PQclear);
    ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      return result_error(connection_, result.get());
    }
    return ok();
  }

 private:
  Result<ResultPtr> run(std::string_view sql, const Params& params) {
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Value& value = params[i];
      if (const auto* number = std::get_if<std::int64_t>(&value)) {
        texts[i] = std::to_string(*number);
      } else if (const auto* real = std::get_if<double>(&value)) {
        texts[i] = fmt::format("{}", *real);
      } else if (const auto* text = std::get_if<std::string>(&value)) {
        texts[i] = *text;
      } else {
        continue;  // NULL stays nullptr
      }
      values[i] = texts[i].c_str();
    }
    ResultPtr result(
        PQexecParams(connection_, std::string(sql).c_str(), static_cast<int>(params.size()),
                     nullptr, values.data(), nullptr, nullptr, 0),
        &PQclear);
    ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      return result_error(connection_, result.get());
    }
    return result;
  }

  PGconn* connection_;
};

}  // namespace

/// A pooled connection borrowed for one call or transaction; returned on destruction.
class PostgresDatabase::Lease {
 public:
  Lease(PostgresDatabase& db, PGconn* connection) : db_(db), connection_(connection) {}
  ~Lease() { db_.release(connection_); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  PGconn* get() const { return connection_; }

 private:
  PostgresDatabase& db_;
  PGconn* connection_;
};

Result<std::unique_ptr<PostgresDatabase>> PostgresDatabase::open(std::string url,
                                                                 std::size_t pool_size) {
  if (pool_size == 0) return invalid_argument("postgresql: pool size must be at least 1", "db");
  std::unique_ptr<PostgresDatabase> db(new PostgresDatabase(std::move(url), pool_size));
  SENTINEL_ASSIGN(connection, db->acquire());
  db->release(connection);
  store_logger()->info("database opened backend=postgresql pool_size={}", pool_size);
  return db;
}

PostgresDatabase::PostgresDatabase(std::string url, std::size_t pool_size)
    : url_(std::move(url)), pool_size_(pool_size) {}

PostgresDatabase::~PostgresDatabase() {
  for (PGconn* connection : idle_) PQfinish(connection);
}

Result<PGconn*> PostgresDatabase::acquire() {
  {
    std::unique_lock lock(mutex_);
    bool ready = available_.wait_for(lock, kAcquireTimeout,
                                     [&] { return !idle_.empty() || open_ < pool_size_; });
    if (!ready) return unavailable("postgresql: no free connection in the pool");
    if (!idle_.empty()) {
      PGconn* connection = idle_.back();
      idle_.pop_back();
      return connection;
    }
    ++open_;  // reserve the slot; connect outside the lock
  }
  PGconn* connection = PQconnectdb(url_.c_str());
  if (connection == nullptr || PQstatus(connection) != CONNECTION_OK) {
    Error error = connection ? connection_error(connection, "connect")
                             : unavailable("postgresql connect: out of memory");
    PQfinish(connection);
    {
      std::lock_guard lock(mutex_);
      --open_;
    }
    available_.notify_one();
    return error;
  }
  PQsetNoticeProcessor(connection, log_notice, nullptr);
  return connection;
}

void PostgresDatabase::release(PGconn* connection) {
  // A connection left broken, or stuck inside a transaction, is not worth repairing: drop it.
  bool healthy =
      PQstatus(connection) == CONNECTION_OK && PQtransactionStatus(connection) == PQTRANS_IDLE;
  if (!healthy) {
    store_logger()->warn("postgresql connection dropped from the pool");
    PQfinish(connection);
  }
  {
    std::lock_guard lock(mutex_);
    if (healthy) {
      idle_.push_back(connection);
    } else {
      --open_;
    }
  }
  available_.notify_one();
}

Status PostgresDatabase::transact(const std::function<Status(Connection&)>& work) {
  SENTINEL_ASSIGN(raw, acquire());
  Lease lease(*this, raw);
  PostgresConnection connection(lease.get());
  SENTINEL_TRY(connection.execute_script("BEGIN"));
  Status outcome;
  try {
    outcome = work(connection);
    // COMMIT of a transaction that an ignored error aborted quietly rolls back: say so instead.
    if (outcome && PQtransactionStatus(lease.get()) == PQTRANS_INERROR) {
      outcome = internal_error("postgresql: transaction aborted by an earlier failed statement");
    }
    if (outcome) outcome = connection.execute_script("COMMIT");
  } catch (...) {
    (void)connection.execute_script("ROLLBACK");
    throw;
  }
  if (!outcome) (void)connection.execute_script("ROLLBACK");
  return outcome;
}

Result<Rows> PostgresDatabase::query(std::string_view sql, const Params& params) {
  SENTINEL_ASSIGN(raw, acquire());
  Lease lease(*this, raw);
  return PostgresConnection(lease.get()).query(sql, params);
}

Result<std::int64_t> PostgresDatabase::execute(std::string_view sql, const Params& params) {
  SENTINEL_ASSIGN(raw, acquire());
  Lease lease(*this, raw);
  return PostgresConnection(lease.get()).execute(sql, params);
}

}  // namespace sentinel::store
