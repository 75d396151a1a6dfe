// A completed job's diff as stored: its pages read back in the diff's order, with the counts of
// the whole diff and the services before and after, on SQLite and PostgreSQL.

#include <gtest/gtest.h>

#include "sentinel/scanner/scan_diff.h"
#include "src/scanner/sql_scan_repository.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_database.h"

namespace sentinel::scanner {
namespace {

scan::IpAddress ip(const char* text) { return *scan::IpAddress::parse(text); }

FoundPort port(std::uint16_t number, std::string service = {}, std::string version = {}) {
  FoundPort out{.port = number};
  if (!service.empty()) {
    out.service = scan::ServiceInfo{.service = std::move(service),
                                    .version = std::move(version),
                                    .cpes = {"cpe:/a:openbsd:openssh"}};
  }
  return out;
}

class ScanDiffStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto db = test::open_test_database(GetParam(), dir_);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    for (std::int64_t* id : {&previous_, &current_}) {
      ASSERT_TRUE(db_->transact([&](store::Connection& connection) -> Status {
        ScanJob job;
        job.status = JobStatus::kCompleted;
        job.requested_by = "admin";
        SENTINEL_ASSIGN(inserted, SqlScanRepository(connection).insert_job(job));
        *id = inserted;
        return ok();
      }));
    }
  }

  Result<std::optional<ScanDiffPage>> read(const PageRequest& page) {
    std::optional<ScanDiffPage> out;
    SENTINEL_TRY(db_->transact([&](store::Connection& connection) -> Status {
      SENTINEL_ASSIGN(stored, SqlScanRepository(connection).stored_diff(current_, page));
      out = std::move(stored);
      return ok();
    }));
    return out;
  }

  Status store(const ScanDiff& diff) {
    return db_->transact([&](store::Connection& connection) {
      return SqlScanRepository(connection).store_diff(diff);
    });
  }

  test::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  std::int64_t previous_ = 0;
  std::int64_t current_ = 0;
};

bool same(const ScanChange& a, const ScanChange& b) {
  return a.action == b.action && a.address == b.address && a.port == b.port &&
         a.protocol == b.protocol && a.before == b.before && a.after == b.after;
}

TEST_P(ScanDiffStoreTest, PagesReadBackInOrderWithTheWholeDiffsCounts) {
  ScanDiff diff{.id = current_, .previous_id = previous_};
  diff.changes =
      diff_scans({{.address = ip("127.68.0.9"), .ports = {port(25)}},
                  {.address = ip("127.68.0.10"), .ports = {port(22, "ssh", "9.2")}}},
                 {{.address = ip("127.68.0.10"), .ports = {port(22, "ssh", "9.6"), port(443)}},
                  {.address = ip("127.68.0.100"), .ports = {}}});
  ASSERT_EQ(diff.changes.size(), 5u);
  EXPECT_FALSE(read({})->has_value()) << "nothing stored yet";
  ASSERT_TRUE(store(diff));
  ASSERT_TRUE(store(diff)) << "storing again keeps what is there";

  std::vector<ScanChange> paged;
  for (std::int64_t offset = 0; offset < 6; offset += 2) {
    auto page = read({.limit = 2, .offset = offset});
    ASSERT_TRUE(page && page->has_value());
    const ScanDiffPage expected = page_of(diff, {.limit = 2, .offset = offset});
    EXPECT_EQ((*page)->id, current_);
    EXPECT_EQ((*page)->previous_id, previous_);
    EXPECT_EQ((*page)->total, 5);
    EXPECT_EQ((*page)->counts, expected.counts);
    for (ScanChange& change : (*page)->changes) paged.push_back(std::move(change));
  }
  ASSERT_EQ(paged.size(), diff.changes.size());
  for (std::size_t i = 0; i < paged.size(); ++i) {
    EXPECT_TRUE(same(paged[i], diff.changes[i])) << "change " << i;
  }
  EXPECT_EQ(paged[0].action, ChangeAction::kHostGone);
  EXPECT_EQ(paged[2].action, ChangeAction::kServiceChanged);
  ASSERT_TRUE(paged[2].before && paged[2].after);
  EXPECT_EQ(paged[2].before->version, "9.2");
  EXPECT_EQ(paged[2].after->cpes, std::vector<std::string>{"cpe:/a:openbsd:openssh"});
}

TEST_P(ScanDiffStoreTest, ADiffWithoutChangesIsStoredToo) {
  ASSERT_TRUE(store({.id = current_, .previous_id = previous_}));
  auto page = read({});
  ASSERT_TRUE(page && page->has_value());
  EXPECT_EQ((*page)->total, 0);
  EXPECT_TRUE((*page)->changes.empty());
  ASSERT_TRUE(store({.id = current_}));  // no previous job: nothing to store
}

INSTANTIATE_TEST_SUITE_P(Backends, ScanDiffStoreTest, ::testing::ValuesIn(test::kBackends),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::scanner
