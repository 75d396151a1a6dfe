// sentinelctl alerts ... against a real server, as an analyst at a terminal or a script uses it.

#include <boost/json.hpp>

#include "tests/integration/alerts/alerts_api_support.h"
#include "tests/integration/sentinelctl_fixture.h"

namespace sentinel::test {
namespace {

namespace json = boost::json;

class SentinelctlAlertsTest : public WithSentinelctl<AlertsApiTest> {
 protected:
};

TEST_P(SentinelctlAlertsTest, ListShowAcknowledgeAndResolve) {
  const std::int64_t now = SystemClock().now_ms();
  const std::vector<std::int64_t> events = store_events("agt_cli", 1, now - 1000);
  ASSERT_EQ(events.size(), 1u);
  detection::Detection brute =
      make_detection("ssh-brute-force", "source.ip=203.0.113.9", "agt_cli", now);
  brute.event_ids = events;
  const std::int64_t high = record(brute);
  const std::int64_t low = record(make_detection("sudo-root", "user.name=root", "agt_cli",
                                                 now - 60'000, detection::Severity::kLow));
  const std::string high_id = std::to_string(high);
  const std::string low_id = std::to_string(low);

  const CommandOutput listed = ctl({"alerts", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("SEVERITY"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("SSH brute force"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("source.ip=203.0.113.9"), std::string::npos) << listed.out;
  EXPECT_LT(listed.out.find("SSH brute force"), listed.out.find("Rule sudo-root"))
      << "most recently seen first: " << listed.out;

  const CommandOutput severe = ctl({"--output", "json", "alerts", "list", "--severity", "high"});
  ASSERT_EQ(severe.exit_code, 0) << severe.err;
  const json::value page = parse(severe);
  ASSERT_EQ(page.at("items").as_array().size(), 1u) << severe.out;
  EXPECT_EQ(page.at("items").at(0).at("id").as_int64(), high);

  const CommandOutput shown = ctl({"alerts", "show", high_id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("rule_id:"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("ssh-brute-force"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("evidence (1 stored events)"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("Failed password for root"), std::string::npos) << shown.out;

  const CommandOutput acked = ctl({"alerts", "ack", high_id});
  ASSERT_EQ(acked.exit_code, 0) << acked.err;
  EXPECT_NE(acked.out.find("acknowledged"), std::string::npos) << acked.out;
  const CommandOutput open = ctl({"--output", "json", "alerts", "list", "--status", "new"});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  ASSERT_EQ(parse(open).at("items").as_array().size(), 1u) << open.out;
  EXPECT_EQ(parse(open).at("items").at(0).at("id").as_int64(), low);

  const CommandOutput resolved = ctl({"--output", "json", "alerts", "resolve", high_id});
  ASSERT_EQ(resolved.exit_code, 0) << resolved.err;
  EXPECT_EQ(parse(resolved).at("status").as_string(), "resolved");
  const CommandOutput false_positive = ctl({"alerts", "resolve", low_id, "--false-positive"});
  ASSERT_EQ(false_positive.exit_code, 0) << false_positive.err;
  const CommandOutput closed =
      ctl({"--output", "json", "alerts", "list", "--status", "resolved,false_positive"});
  ASSERT_EQ(closed.exit_code, 0) << closed.err;
  EXPECT_EQ(parse(closed).at("total").as_int64(), 2) << closed.out;

  // A closed alert cannot be acknowledged: the server refuses, and the exit status says so.
  const CommandOutput refused = ctl({"alerts", "ack", high_id});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("conflict"), std::string::npos) << refused.err;
  EXPECT_EQ(ctl({"alerts", "list", "--status", "open"}).exit_code, 2) << "usage error";
  EXPECT_EQ(ctl({"alerts", "show", "abc"}).exit_code, 2);
  const CommandOutput missing = ctl({"alerts", "show", "999999"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("not_found"), std::string::npos) << missing.err;
}

SENTINEL_BOTH_BACKENDS(SentinelctlAlertsTest);

}  // namespace
}  // namespace sentinel::test
