// The test harness's private PostgreSQL: fresh, isolated databases on one shared cluster.

#include "tests/support/postgres_cluster.h"

#include <gtest/gtest.h>

namespace sentinel::test {
namespace {

TEST(PostgresClusterTest, HandsOutIsolatedDatabases) {
  auto first = PostgresCluster::shared().create_database();
  ASSERT_TRUE(first) << first.error().message;
  auto second = PostgresCluster::shared().create_database();
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_NE(*first, *second);
  EXPECT_EQ(first->rfind("postgresql://postgres@127.0.0.1:", 0), 0u) << *first;

  auto a = store::open_database(*first);
  ASSERT_TRUE(a) << a.error().message;
  auto b = store::open_database(*second);
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_TRUE((*a)->execute("CREATE TABLE only_in_first (x TEXT)"));
  EXPECT_TRUE((*a)->query("SELECT * FROM only_in_first"));
  EXPECT_FALSE((*b)->query("SELECT * FROM only_in_first"));
}

}  // namespace
}  // namespace sentinel::test
