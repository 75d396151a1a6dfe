// The Database contract, run on both backends: SQLite in a temp file and a fresh database on the
// shared private PostgreSQL cluster.

#include "sentinel/store/database.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <stdexcept>
#include <thread>

#include "tests/support/test_database.h"

namespace sentinel::store {
namespace {

using test::TempDir;

class DatabaseContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto db = test::open_test_database(GetParam(), dir_, /*migrated=*/false);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
  }

  std::string id_column() const {
    return GetParam() == "sqlite" ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY";
  }

  void create_items_table() {
    auto created = db_->execute("CREATE TABLE items (id " + id_column() +
                                ", name TEXT NOT NULL UNIQUE, amount BIGINT)");
    ASSERT_TRUE(created) << created.error().message;
  }

  std::int64_t count_items() {
    auto rows = db_->query("SELECT COUNT(*) FROM items");
    EXPECT_TRUE(rows) << rows.error().message;
    return rows ? (*rows)[0].integer(0) : -1;
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_P(DatabaseContractTest, ReportsItsBackend) { EXPECT_EQ(db_->backend(), GetParam()); }

TEST_P(DatabaseContractTest, RoundTripsEveryValueType) {
  ASSERT_TRUE(
      db_->execute("CREATE TABLE v (k INTEGER PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, "
                   "s TEXT, n TEXT)"));
  const std::string large(1 << 20, 'x');
  const std::string unicode = "h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9D\x84\x9E 'quoted' \"double\" $1 ?";
  struct Case {
    std::int64_t i;
    double r;
    std::string s;
  };
  const std::vector<Case> cases = {
      {INT64_MAX, 3.25, unicode}, {INT64_MIN, -1e300, large}, {0, 0.1, ""}};
  for (std::size_t k = 0; k < cases.size(); ++k) {
    auto inserted = db_->execute("INSERT INTO v (k, i, r, s, n) VALUES ($1, $2, $3, $4, $5)",
                                 {std::int64_t(k), cases[k].i, cases[k].r, cases[k].s, nullptr});
    ASSERT_TRUE(inserted) << inserted.error().message;
    EXPECT_EQ(*inserted, 1);
  }
  auto rows = db_->query("SELECT i, r, s, n FROM v ORDER BY k");
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), cases.size());
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const Row& row = (*rows)[k];
    EXPECT_EQ(row.at(0), Value(cases[k].i));
    EXPECT_EQ(row.at(1), Value(cases[k].r));
    EXPECT_EQ(row.at(2), Value(cases[k].s));
    EXPECT_TRUE(row.is_null(3));
    EXPECT_EQ(row.optional_text(3), std::nullopt);
  }
}

TEST_P(DatabaseContractTest, ReusesAParameterAndLeavesLiteralsAlone) {
  ASSERT_TRUE(db_->execute("CREATE TABLE pairs (a TEXT, b TEXT)"));
  ASSERT_TRUE(db_->execute("INSERT INTO pairs (a, b) VALUES ($1, $1)", {std::string("same")}));
  auto rows = db_->query("SELECT a, b, '$1 stays' FROM pairs WHERE a = $1 AND b = $1",
                         {std::string("same")});
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].text(0), "same");
  EXPECT_EQ((*rows)[0].text(1), "same");
  EXPECT_EQ((*rows)[0].text(2), "$1 stays");
}

TEST_P(DatabaseContractTest, ReturnsGeneratedIds) {
  create_items_table();
  for (std::int64_t expected = 1; expected <= 2; ++expected) {
    auto rows = db_->query("INSERT INTO items (name) VALUES ($1) RETURNING id",
                           {"item" + std::to_string(expected)});
    ASSERT_TRUE(rows) << rows.error().message;
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].at(0), Value(expected));
  }
}

TEST_P(DatabaseContractTest, ExecuteCountsChangedRows) {
  create_items_table();
  for (const char* name : {"a", "b", "c"}) {
    ASSERT_TRUE(
        db_->execute("INSERT INTO items (name, amount) VALUES ($1, 1)", {std::string(name)}));
  }
  auto updated = db_->execute("UPDATE items SET amount = amount + $1 WHERE name <> $2",
                              {std::int64_t{5}, std::string("c")});
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(*updated, 2);
  auto created = db_->execute("CREATE TABLE other (x TEXT)");
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(*created, 0);
}

TEST_P(DatabaseContractTest, MapsUniqueViolationsToConflict) {
  create_items_table();
  ASSERT_TRUE(db_->execute("INSERT INTO items (name) VALUES ($1)", {std::string("dup")}));
  auto duplicate = db_->execute("INSERT INTO items (name) VALUES ($1)", {std::string("dup")});
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, ErrorCode::kConflict) << duplicate.error().message;
  auto duplicate_key = db_->execute("INSERT INTO items (id, name) VALUES (1, 'other')");
  ASSERT_FALSE(duplicate_key);
  EXPECT_EQ(duplicate_key.error().code, ErrorCode::kConflict) << duplicate_key.error().message;
}

TEST_P(DatabaseContractTest, ReportsSqlErrorsAsInternalWithTheMessage) {
  auto bad = db_->query("SELEC 1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInternal);
  EXPECT_NE(bad.error().message.find("syntax"), std::string::npos) << bad.error().message;
  auto missing = db_->query("SELECT * FROM no_such_table");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kInternal);
  auto wrong_count = db_->query("SELECT $1, $2", {std::string("only one")});
  EXPECT_FALSE(wrong_count);
  // The database is still usable after errors.
  auto rows = db_->query("SELECT 1");
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ((*rows)[0].integer(0), 1);
}

TEST_P(DatabaseContractTest, TransactionCommits) {
  create_items_table();
  auto status = db_->transact([](Connection& connection) -> Status {
    SENTINEL_TRY(connection.execute("INSERT INTO items (name) VALUES ('a')"));
    SENTINEL_ASSIGN(rows, connection.query("SELECT COUNT(*) FROM items"));
    if (rows[0].integer(0) != 1) return internal_error("own write not visible");
    SENTINEL_TRY(connection.execute("INSERT INTO items (name) VALUES ('b')"));
    return ok();
  });
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(count_items(), 2);
}

TEST_P(DatabaseContractTest, TransactionRollsBackWhenWorkFails) {
  create_items_table();
  auto status = db_->transact([](Connection& connection) -> Status {
    SENTINEL_TRY(connection.execute("INSERT INTO items (name) VALUES ('a')"));
    return not_found("changed my mind");
  });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(count_items(), 0);
}

TEST_P(DatabaseContractTest, TransactionRollsBackWhenAStatementFails) {
  create_items_table();
  auto status = db_->transact([](Connection& connection) -> Status {
    SENTINEL_TRY(connection.execute("INSERT INTO items (name) VALUES ('a')"));
    SENTINEL_TRY(connection.execute("INSERT INTO items (name) VALUES ('a')"));
    return ok();
  });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kConflict);
  EXPECT_EQ(count_items(), 0);
}

TEST_P(DatabaseContractTest, TransactionRollsBackWhenWorkThrows) {
  create_items_table();
  EXPECT_THROW((void)db_->transact([](Connection& connection) -> Status {
    (void)connection.execute("INSERT INTO items (name) VALUES ('a')");
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  EXPECT_EQ(count_items(), 0);
  EXPECT_TRUE(db_->transact([](Connection& connection) -> Status {
    SENTINEL_TRY(connection.execute("INSERT INTO items (name) VALUES ('b')"));
    return ok();
  }));
  EXPECT_EQ(count_items(), 1);
}

TEST_P(DatabaseContractTest, ConcurrentWritersAllLand) {
  create_items_table();
  constexpr int kThreads = 6;
  constexpr int kRowsPerThread = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRowsPerThread; ++i) {
        std::string name = std::to_string(t) + "-" + std::to_string(i);
        Status status = ok();
        if (t % 2 == 0) {
          auto inserted = db_->execute("INSERT INTO items (name) VALUES ($1)", {name});
          if (!inserted) status = inserted.error();
        } else {
          status = db_->transact([&](Connection& connection) -> Status {
            SENTINEL_TRY(connection.execute("INSERT INTO items (name) VALUES ($1)", {name}));
            return ok();
          });
        }
        if (!status) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(count_items(), kThreads * kRowsPerThread);
  auto ids = db_->query("SELECT COUNT(DISTINCT id) FROM items");
  ASSERT_TRUE(ids);
  EXPECT_EQ((*ids)[0].integer(0), kThreads * kRowsPerThread);
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseContractTest, ::testing::ValuesIn(test::kBackends),
                         [](const auto& info) { return info.param; });

TEST(DatabaseRowTest, ConvertsBetweenTextAndNumbers) {
  Row row({std::string("42"), std::int64_t{7}, 2.5, nullptr, std::string("nope"),
           std::string("12.0000")});
  EXPECT_EQ(row.integer(0), 42);
  EXPECT_EQ(row.text(1), "7");
  EXPECT_EQ(row.text(2), "2.5");
  EXPECT_EQ(row.integer(3), 0);
  EXPECT_EQ(row.text(3), "");
  EXPECT_EQ(row.optional_integer(3), std::nullopt);
  EXPECT_EQ(row.optional_integer(1), 7);
  EXPECT_EQ(row.integer(4), 0);
  EXPECT_EQ(row.integer(5), 12);
}

TEST(DatabaseUrlTest, RejectsUnknownSchemes) {
  auto db = open_database("mysql://localhost/x");
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kInvalidArgument);
}

TEST(SqliteDatabaseTest, RefusesAMissingDirectory) {
  TempDir dir;
  auto db = open_database("sqlite:" + (dir.path() / "missing" / "x.db").string());
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kInvalidArgument);
}

TEST(SqliteDatabaseTest, UsesWalAndForeignKeys) {
  TempDir dir;
  auto db = open_database("sqlite:" + (dir.path() / "x.db").string());
  ASSERT_TRUE(db) << db.error().message;
  auto mode = (*db)->query("PRAGMA journal_mode");
  ASSERT_TRUE(mode);
  EXPECT_EQ((*mode)[0].text(0), "wal");
  ASSERT_TRUE((*db)->execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)"));
  ASSERT_TRUE((*db)->execute("CREATE TABLE child (parent_id INTEGER REFERENCES parent(id))"));
  EXPECT_FALSE((*db)->execute("INSERT INTO child (parent_id) VALUES (99)"));
}

TEST(SqliteDatabaseTest, InMemoryDatabaseWorks) {
  auto db = open_database("sqlite::memory:");
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_TRUE((*db)->execute("CREATE TABLE t (x INTEGER)"));
  ASSERT_TRUE((*db)->execute("INSERT INTO t (x) VALUES ($1)", {std::int64_t{3}}));
  auto rows = (*db)->query("SELECT x FROM t");
  ASSERT_TRUE(rows);
  EXPECT_EQ((*rows)[0].integer(0), 3);
}

TEST(PostgresDatabaseTest, UnreachableServerIsUnavailable) {
  auto db = open_database("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2");
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
}

TEST(PostgresDatabaseTest, ReconnectsAfterTheServerDropsAConnection) {
  TempDir dir;
  auto url = test::test_database_url("postgresql", dir);
  ASSERT_TRUE(url) << url.error().message;
  auto db = open_database(*url);
  ASSERT_TRUE(db) << db.error().message;
  auto killer = open_database(*url);
  ASSERT_TRUE(killer) << killer.error().message;
  auto killed = (*killer)->query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  ASSERT_TRUE(killed) << killed.error().message;
  ASSERT_GE(killed->size(), 1u);
  auto first = (*db)->query("SELECT 1");
  if (!first) {
    EXPECT_EQ(first.error().code, ErrorCode::kUnavailable) << first.error().message;
  }
  auto second = (*db)->query("SELECT 1");
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ((*second)[0].integer(0), 1);
}

}  // namespace
}  // namespace sentinel::store
