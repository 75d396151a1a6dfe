#pragma once
// A private PostgreSQL 15 server for tests: initdb + pg_ctl in a temp dir on a free port.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "sentinel/common/result.h"
#include "sentinel/store/database.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {

/// A running cluster on 127.0.0.1 with trust auth and fsync off; stopped (immediate) and its
/// directory deleted on destruction, or by a watchdog process if the test process dies first.
/// Thread-safe. Binaries come from $SENTINEL_PG_BIN or /usr/lib/postgresql/15/bin.
class PostgresCluster {
 public:
  /// Starts a new cluster (about a second). The error carries the tail of the server log.
  static Result<std::unique_ptr<PostgresCluster>> start();
  /// The process-wide cluster, started on first use and stopped at exit. If it could not start,
  /// the calling test gets a failure and create_database() returns the start error.
  static PostgresCluster& shared();

  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  /// postgresql://postgres@127.0.0.1:PORT/DATABASE
  std::string url(std::string_view database = "postgres") const;
  /// Creates an empty, uniquely named database and returns its URL.
  Result<std::string> create_database();

 private:
  PostgresCluster(TempDir dir, int port, int watchdog_pid, int watchdog_pipe);
  explicit PostgresCluster(Error start_error);

  std::optional<TempDir> dir_;
  int port_ = 0;
  int watchdog_pid_ = -1;
  int watchdog_pipe_ = -1;  // the watchdog cleans up when this closes
  std::optional<Error> start_error_;
  std::mutex admin_mutex_;
  std::unique_ptr<store::Database> admin_;  // connection to "postgres", opened on first use
  int next_database_ = 0;                   // guarded by admin_mutex_
};

}  // namespace sentinel::test
