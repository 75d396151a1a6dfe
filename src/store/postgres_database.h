#pragma once
// PostgreSQL backend: libpq connections in a small blocking pool.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/store/database.h"

typedef struct pg_conn PGconn;  // NOLINT: libpq's own spelling, to keep libpq-fe.h out of here

namespace sentinel::store {

/// A PostgreSQL database. Thread-safe: each call borrows a pooled connection (opened lazily,
/// up to `pool_size`) and waits when all are busy. Broken connections are dropped and replaced.
class PostgresDatabase final : public Database {
 public:
  /// Connections per database unless the caller asks otherwise.
  static constexpr std::size_t kDefaultPoolSize = 4;

  /// Connects once to check `url` (a libpq connection URI); the URL is never logged.
  static Result<std::unique_ptr<PostgresDatabase>> open(std::string url,
                                                        std::size_t pool_size = kDefaultPoolSize);
  ~PostgresDatabase() override;

  std::string_view backend() const override { return "postgresql"; }
  Status transact(const std::function<Status(Connection&)>& work) override;
  Result<Rows> query(std::string_view sql, const Params& params = {}) override;
  Result<std::int64_t> execute(std::string_view sql, const Params& params = {}) override;

 private:
  class Lease;
  PostgresDatabase(std::string url, std::size_t pool_size);

  Result<PGconn*> acquire();
  void release(PGconn* connection);

  std::string url_;
  std::size_t pool_size_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<PGconn*> idle_;
  std::size_t open_ = 0;  // idle plus borrowed
};

}  // namespace sentinel::store
