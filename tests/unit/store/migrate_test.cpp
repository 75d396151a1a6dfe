// The migration runner on both backends: embedded migrations, idempotence, tokens, failures and
// concurrent runs.

#include <gtest/gtest.h>

#include <thread>

#include "sentinel/store/database.h"
#include "src/store/migrations.h"
#include "tests/support/test_database.h"

namespace sentinel::store {
namespace {

using test::TempDir;

// Two statements per file, a {{id}} column and a ';' inside a string literal.
constexpr Migration kTestMigrations[] = {
    {1, "widgets",
     "CREATE TABLE widgets (id {{id}}, name TEXT NOT NULL UNIQUE);\n"
     "INSERT INTO widgets (name) VALUES ('first; still first');\n"},
    {2, "gadgets", "CREATE TABLE gadgets (widget_id BIGINT REFERENCES widgets(id));\n"},
};

class MigrationTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto url = test::test_database_url(GetParam(), dir_);
    ASSERT_TRUE(url) << url.error().message;
    url_ = *url;
    auto db = open_database(url_);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
  }

  std::vector<std::int64_t> applied_versions() {
    auto rows =
        db_->query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
    EXPECT_TRUE(rows) << rows.error().message;
    std::vector<std::int64_t> versions;
    if (!rows) return versions;
    for (const Row& row : *rows) {
      EXPECT_FALSE(row.text(1).empty());
      EXPECT_GT(row.integer(2), 0);
      versions.push_back(row.integer(0));
    }
    return versions;
  }

  TempDir dir_;
  std::string url_;
  std::unique_ptr<Database> db_;
};

TEST_P(MigrationTest, AppliesEmbeddedMigrationsOnceAndRecordsThem) {
  auto first = migrate(*db_);
  ASSERT_TRUE(first) << first.error().message;
  auto second = migrate(*db_);
  ASSERT_TRUE(second) << second.error().message;
  std::vector<std::int64_t> expected;
  for (const Migration& migration : embedded_migrations()) expected.push_back(migration.version);
  EXPECT_EQ(applied_versions(), expected);
}

TEST_P(MigrationTest, EmbeddedMigrationsAreOrderedAndRenderForBothBackends) {
  int previous = 0;
  for (const Migration& migration : embedded_migrations()) {
    EXPECT_GT(migration.version, previous) << migration.name;
    previous = migration.version;
    auto rendered = render_migration(migration, GetParam());
    EXPECT_TRUE(rendered) << rendered.error().message;
  }
}

TEST_P(MigrationTest, RunsMultiStatementFilesWithTokensIdempotently) {
  for (int run = 0; run < 2; ++run) {
    auto status = apply_migrations(*db_, kTestMigrations);
    ASSERT_TRUE(status) << status.error().message;
  }
  EXPECT_EQ(applied_versions(), (std::vector<std::int64_t>{1, 2}));
  auto rows = db_->query("SELECT id, name FROM widgets");
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].at(0), Value(std::int64_t{1}));
  EXPECT_EQ((*rows)[0].text(1), "first; still first");
  auto next = db_->query("INSERT INTO widgets (name) VALUES ('second') RETURNING id");
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ((*next)[0].integer(0), 2);
}

TEST_P(MigrationTest, AFailingMigrationLeavesNoTrace) {
  const Migration broken[] = {
      kTestMigrations[0],
      {2, "broken", "CREATE TABLE half (x TEXT);\nINSERT INTO no_such_table VALUES (1);\n"},
  };
  auto status = apply_migrations(*db_, broken);
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("0002_broken"), std::string::npos)
      << status.error().message;
  EXPECT_EQ(applied_versions(), (std::vector<std::int64_t>{1}));
  EXPECT_FALSE(db_->query("SELECT * FROM half"));
  // Fixed, it applies on the next run.
  auto fixed = apply_migrations(*db_, kTestMigrations);
  ASSERT_TRUE(fixed) << fixed.error().message;
  EXPECT_EQ(applied_versions(), (std::vector<std::int64_t>{1, 2}));
}

// 0020 gives each schedule its creator's user id: that of the user holding the name when they
// already existed as the schedule was made; none for a name nobody holds or a user made since.
TEST_P(MigrationTest, ASchedulesCreatorIdIsOnlyThatOfAUserWhoExistedWhenItWasMade) {
  const auto all = embedded_migrations();
  std::size_t before_0020 = 0;
  while (before_0020 < all.size() && all[before_0020].version < 20) ++before_0020;
  ASSERT_TRUE(apply_migrations(*db_, all.first(before_0020)));
  auto user = [&](const std::string& name, std::int64_t created_ms) {
    auto id = db_->query(
        "INSERT INTO users (username, password_hash, created_at, updated_at) "
        "VALUES ($1, 'x', $2, $2) RETURNING id",
        {name, created_ms});
    EXPECT_TRUE(id) << id.error().message;
    return id ? id->at(0).integer(0) : 0;
  };
  auto schedule = [&](const std::string& name, const std::string& creator) {
    auto made = db_->execute(
        "INSERT INTO scan_schedules (name, scan, interval_s, enabled, next_run_at, created_by, "
        "created_at, updated_at) VALUES ($1, '{}', 300, 1, 0, $2, 2000, 2000)",
        {name, creator});
    EXPECT_TRUE(made) << made.error().message;
  };
  const std::int64_t alice = user("alice", 1000);
  user("bob", 5000);  // the schedule's bob was deleted; this one was made after it
  schedule("alices", "alice");
  schedule("bobs", "bob");
  schedule("carols", "carol");  // carol was deleted
  ASSERT_TRUE(migrate(*db_));
  auto rows = db_->query("SELECT name, created_by_id FROM scan_schedules ORDER BY name");
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].optional_integer(1), alice);
  EXPECT_EQ((*rows)[1].optional_integer(1), std::nullopt);
  EXPECT_EQ((*rows)[2].optional_integer(1), std::nullopt);
}

TEST_P(MigrationTest, ConcurrentRunnersApplyEachMigrationOnce) {
  constexpr int kRunners = 4;
  std::vector<std::unique_ptr<Database>> databases;
  for (int i = 0; i < kRunners; ++i) {
    auto db = open_database(url_);
    ASSERT_TRUE(db) << db.error().message;
    databases.push_back(std::move(*db));
  }
  std::vector<Status> results(kRunners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRunners; ++i) {
    threads.emplace_back([&, i] { results[i] = apply_migrations(*databases[i], kTestMigrations); });
  }
  for (auto& thread : threads) thread.join();
  for (const Status& result : results) EXPECT_TRUE(result) << result.error().message;
  EXPECT_EQ(applied_versions(), (std::vector<std::int64_t>{1, 2}));
  auto rows = db_->query("SELECT COUNT(*) FROM widgets");
  ASSERT_TRUE(rows);
  EXPECT_EQ((*rows)[0].integer(0), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrationTest, ::testing::ValuesIn(test::kBackends),
                         [](const auto& info) { return info.param; });

TEST(MigrationRenderTest, SubstitutesTheIdTokenPerBackend) {
  const Migration migration{7, "t", "CREATE TABLE a (id {{id}}); CREATE TABLE b (id {{id}});"};
  auto sqlite = render_migration(migration, "sqlite");
  ASSERT_TRUE(sqlite);
  EXPECT_EQ(*sqlite,
            "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT); "
            "CREATE TABLE b (id INTEGER PRIMARY KEY AUTOINCREMENT);");
  auto postgres = render_migration(migration, "postgresql");
  ASSERT_TRUE(postgres);
  EXPECT_EQ(
      *postgres,
      "CREATE TABLE a (id BIGSERIAL PRIMARY KEY); CREATE TABLE b (id BIGSERIAL PRIMARY KEY);");
}

TEST(MigrationRenderTest, RejectsUnknownTokens) {
  const Migration migration{7, "t", "CREATE TABLE a (data {{blob}})"};
  auto rendered = render_migration(migration, "sqlite");
  ASSERT_FALSE(rendered);
  EXPECT_NE(rendered.error().message.find("{{blob}}"), std::string::npos)
      << rendered.error().message;
}

}  // namespace
}  // namespace sentinel::store
