#include "sentinel/auth/audit_routes.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace sentinel::auth {
namespace {

// Stands in for the SQL log: remembers the query, answers with prepared entries.
class FakeAuditLog final : public AuditLog {
 public:
  Result<AuditEntry> record(const AuditRecord&) override { return internal_error("unused"); }
  Result<std::vector<AuditEntry>> list(const AuditQuery& query) override {
    last_query = query;
    return entries;
  }
  Result<AuditVerification> verify() override { return verification; }

  AuditQuery last_query;
  std::vector<AuditEntry> entries;
  AuditVerification verification;
};

AuditEntry entry_with_seq(std::int64_t seq) {
  AuditEntry entry;
  entry.seq = seq;
  entry.time_ms = 1767225600000 + seq;
  entry.record = {"alice", "auth.login", "", "192.0.2.1", "success", "{}"};
  return entry;
}

class AuditRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(register_audit_routes(router_, log_)); }

  Result<gateway::Response> get(std::string_view path,
                                std::map<std::string, std::string, std::less<>> query = {}) {
    const gateway::RouteMatch match = router_.match("GET", path);
    EXPECT_EQ(match.kind, gateway::RouteMatch::Kind::kFound) << path;
    if (match.kind != gateway::RouteMatch::Kind::kFound) return internal_error("no route");
    gateway::Request request;
    request.method = "GET";
    request.path = std::string(path);
    request.query = std::move(query);
    return match.route->handler(request);
  }

  FakeAuditLog log_;
  gateway::Router router_;
};

TEST_F(AuditRoutesTest, EveryRouteNeedsAuditRead) {
  ASSERT_EQ(router_.routes().size(), 2u);
  for (const gateway::Route& route : router_.routes()) EXPECT_EQ(route.permission, "audit:read");
}

TEST_F(AuditRoutesTest, ListPassesFiltersAndPagesByBefore) {
  log_.entries = {entry_with_seq(9), entry_with_seq(8)};
  const auto response = get(
      "/api/v1/audit", {{"limit", "2"}, {"before", "10"}, {"action", "auth."}, {"actor", "bob"}});
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(log_.last_query.limit, 2);
  EXPECT_EQ(log_.last_query.before_seq, 10);
  EXPECT_EQ(log_.last_query.action_prefix, "auth.");
  EXPECT_EQ(log_.last_query.actor, "bob");

  const boost::json::value body = boost::json::parse(response->body);
  ASSERT_EQ(body.at("items").as_array().size(), 2u);
  EXPECT_EQ(body.at("items").at(0).at("seq").as_int64(), 9);
  EXPECT_EQ(body.at("items").at(0).at("time").as_string(), "2026-01-01T00:00:00.009Z");
  EXPECT_EQ(body.at("next_before").as_int64(), 8);
}

TEST_F(AuditRoutesTest, ShortPageHasNoNextBefore) {
  log_.entries = {entry_with_seq(2), entry_with_seq(1)};
  const auto response = get("/api/v1/audit");
  ASSERT_TRUE(response);
  EXPECT_EQ(log_.last_query.limit, 100);
  EXPECT_FALSE(log_.last_query.before_seq);
  EXPECT_TRUE(boost::json::parse(response->body).at("next_before").is_null());
}

TEST_F(AuditRoutesTest, MalformedIntegersNameTheParameter) {
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"limit", "ten"},
                                                        {"limit", ""},
                                                        {"limit", "5x"},
                                                        {"before", "-"},
                                                        {"before", "99999999999999999999"}}) {
    const auto response = get("/api/v1/audit", {{name, value}});
    ASSERT_FALSE(response) << name << "=" << value;
    EXPECT_EQ(response.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(response.error().field, name);
  }
}

TEST_F(AuditRoutesTest, VerifyReportsTheFirstBrokenEntry) {
  log_.verification = {false, 4, 5, "entry missing: gap between 4 and 6"};
  const auto response = get("/api/v1/audit/verify");
  ASSERT_TRUE(response);
  const boost::json::value body = boost::json::parse(response->body);
  EXPECT_FALSE(body.at("intact").as_bool());
  EXPECT_EQ(body.at("checked").as_int64(), 4);
  EXPECT_EQ(body.at("first_broken_seq").as_int64(), 5);
  EXPECT_EQ(body.at("problem").as_string(), "entry missing: gap between 4 and 6");

  log_.verification = {true, 7, std::nullopt, ""};
  const auto intact = get("/api/v1/audit/verify");
  ASSERT_TRUE(intact);
  EXPECT_TRUE(boost::json::parse(intact->body).at("first_broken_seq").is_null());
}

}  // namespace
}  // namespace sentinel::auth
