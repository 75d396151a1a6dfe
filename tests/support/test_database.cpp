#include "tests/support/test_database.h"

#include <fmt/format.h>

#include "tests/support/postgres_cluster.h"

namespace sentinel::test {

Result<std::string> test_database_url(std::string_view backend, const TempDir& dir) {
  if (backend == "sqlite") return "sqlite:" + (dir.path() / "test.db").string();
  if (backend == "postgresql") return PostgresCluster::shared().create_database();
  return invalid_argument(fmt::format("unknown backend {}", backend));
}

Result<std::unique_ptr<store::Database>> open_test_database(std::string_view backend,
                                                            const TempDir& dir, bool migrated) {
  SENTINEL_ASSIGN(url, test_database_url(backend, dir));
  SENTINEL_ASSIGN(db, store::open_database(url));
  if (migrated) SENTINEL_TRY(store::migrate(*db));
  return db;
}

}  // namespace sentinel::test
