// POST /api/v1/scan-scopes/check, which any reader of scans may call, costs no more than one
// scan request: its entries share a scan's limits on host names and ranges, and a name is
// resolved once for all of them.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "sentinel/common/clock.h"
#include "src/scanner/scope_registry.h"
#include "tests/support/test_database.h"

namespace sentinel::scanner {
namespace {

/// Every name is 127.68.0.1; counts the questions.
class CountingResolver final : public scan::HostResolver {
 public:
  Result<std::vector<scan::IpAddress>> resolve(const std::string& name) override {
    ++calls[name];
    return std::vector<scan::IpAddress>{*scan::IpAddress::parse("127.68.0.1")};
  }
  std::map<std::string, int> calls;
};

/// check() writes no audit entry; anything else would be a surprise.
class NoAudit final : public auth::AuditLog {
 public:
  Result<auth::AuditEntry> record(const auth::AuditRecord&) override {
    ADD_FAILURE() << "check() recorded an audit entry";
    return internal_error("not here");
  }
  Result<std::vector<auth::AuditEntry>> list(const auth::AuditQuery&) override {
    return std::vector<auth::AuditEntry>{};
  }
  Result<auth::AuditVerification> verify() override { return auth::AuditVerification{}; }
};

class ScopeCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = test::open_test_database("sqlite", dir_);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    registry_ = make_scope_registry(*db_, audit_, clock_, resolver_,
                                    *scan::ScanScope::parse("127.68.0.0/16"));
  }

  /// `entries` entries of `names` host names each (ENTRY-NAME.t, or 0-NAME.t in every entry when
  /// `shared`): 30 names are 240 characters, under the 256 of an entry of a request body.
  static std::vector<std::string> name_entries(int entries, int names, bool shared) {
    std::vector<std::string> out;
    for (int e = 0; e < entries; ++e) {
      std::string entry;
      for (int n = 0; n < names; ++n) {
        entry += (n > 0 ? "," : "") + std::to_string(shared ? 0 : e) + "-" + std::to_string(n);
        entry += ".t";
      }
      out.push_back(entry);
    }
    return out;
  }

  test::TempDir dir_{"sentinel-scope-check"};
  ManualClock clock_{1795651200000};
  NoAudit audit_;
  CountingResolver resolver_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<ScopeRegistry> registry_;
};

TEST_F(ScopeCheckTest, ANameInManyEntriesIsResolvedOnce) {
  const auto checked = registry_->check(name_entries(10, 30, true));
  ASSERT_TRUE(checked) << checked.error().message;
  for (const TargetCheck& entry : *checked) EXPECT_TRUE(entry.in_scope) << entry.error;
  EXPECT_EQ(resolver_.calls.size(), 30u);
  for (const auto& [name, calls] : resolver_.calls) EXPECT_EQ(calls, 1) << name;
}

TEST_F(ScopeCheckTest, TheEntriesTogetherResolveNoMoreNamesThanOneScanMay) {
  // 1,200 distinct names in 40 entries; a scan resolves 1,024 at most.
  const auto checked = registry_->check(name_entries(40, 30, false));
  ASSERT_TRUE(checked) << checked.error().message;
  int lookups = 0;
  for (const auto& [name, calls] : resolver_.calls) lookups += calls;
  EXPECT_LE(lookups, 1024);
  std::size_t refused = 0;
  for (const TargetCheck& entry : *checked) {
    if (entry.error.empty()) continue;
    ++refused;
    EXPECT_NE(entry.error.find("host names"), std::string::npos) << entry.error;
  }
  EXPECT_GT(refused, 0u);
}

TEST_F(ScopeCheckTest, TheEntriesTogetherExpandToNoMoreRangesThanOneScanMay) {
  // Each entry alone is 131,072 ranges, within a scan's 2^20; 64 of them are 8 times that.
  const std::vector<std::string> entries(64, "127.0-255.0-255.1,127.0-255.0-255.3");
  const auto checked = registry_->check(entries);
  ASSERT_TRUE(checked) << checked.error().message;
  std::size_t refused = 0;
  for (const TargetCheck& entry : *checked) {
    if (entry.error.empty()) continue;
    ++refused;
    EXPECT_NE(entry.error.find("separate ranges"), std::string::npos) << entry.error;
  }
  EXPECT_EQ(refused, entries.size());
  // One entry alone may use all of a scan's limit.
  const auto alone = registry_->check({entries.front()});
  ASSERT_TRUE(alone) << alone.error().message;
  EXPECT_EQ(alone->front().error, "");
  EXPECT_EQ(alone->front().addresses, 131072u);
}

}  // namespace
}  // namespace sentinel::scanner
