#pragma once
// Fresh databases of either backend, so that every storage test runs on SQLite and PostgreSQL.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/store/database.h"
#include "tests/support/temp_dir.h"

namespace sentinel::test {

/// The backends every storage test runs on; for INSTANTIATE_TEST_SUITE_P(..., ValuesIn(kBackends)).
inline const std::vector<std::string> kBackends = {"sqlite", "postgresql"};

/// The URL of a fresh, empty database: "sqlite" the file test.db in `dir` (so one per dir),
/// "postgresql" a new database on PostgresCluster::shared().
Result<std::string> test_database_url(std::string_view backend, const TempDir& dir);

/// Opens a fresh database of `backend` (see test_database_url); `migrated` also runs migrate().
Result<std::unique_ptr<store::Database>> open_test_database(std::string_view backend,
                                                            const TempDir& dir,
                                                            bool migrated = true);

}  // namespace sentinel::test
