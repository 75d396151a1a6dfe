// The diff between two policy versions: per rule id added, removed, moved or changed (with the
// fields), per object, default policies; and its JSON.

#include "sentinel/firewall/policy_diff.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "tests/unit/firewall/firewall_sample_policy.h"
#include "tests/unit/firewall/policy_test_support.h"

namespace sentinel::firewall {
namespace {

using test::parse_valid;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(FirewallPolicyDiff, ADocumentDoesNotDifferFromItself) {
  const PolicyDocument document = parse_valid(test::kSamplePolicy);
  EXPECT_TRUE(diff_policies(document, document).empty());
}

TEST(FirewallPolicyDiff, ReportsEveryKindOfChange) {
  const PolicyDiff diff =
      diff_policies(parse_valid(test::kSamplePolicy), parse_valid(test::kSamplePolicyEdited));
  EXPECT_FALSE(diff.description_changed);
  ASSERT_EQ(diff.default_policies.size(), 1u);
  EXPECT_EQ(diff.default_policies[0].chain, ChainKind::kOutput);
  EXPECT_EQ(diff.default_policies[0].after, DefaultPolicy::kDrop);

  ASSERT_EQ(diff.objects.size(), 3u);
  EXPECT_EQ(diff.objects[0].kind, ObjectChangeKind::kChanged);
  EXPECT_EQ(diff.objects[0].name, "admins");
  EXPECT_THAT(diff.objects[0].fields, ElementsAre("addresses"));
  EXPECT_THAT(diff.objects[0].added_entries, ElementsAre("10.0.1.0/24"));
  EXPECT_THAT(diff.objects[0].removed_entries, ElementsAre("2001:db8:1::/48"));
  EXPECT_EQ(diff.objects[1].kind, ObjectChangeKind::kAdded);
  EXPECT_EQ(diff.objects[1].name, "partners");
  EXPECT_EQ(diff.objects[2].kind, ObjectChangeKind::kRemoved);
  EXPECT_EQ(diff.objects[2].object_type, "service");
  EXPECT_EQ(diff.objects[2].name, "dns");

  std::vector<std::string> summary;
  for (const RuleChange& change : diff.rules) {
    std::string line = change.id + " ";
    line += change.kind == RuleChangeKind::kAdded     ? "added"
            : change.kind == RuleChangeKind::kRemoved ? "removed"
            : change.kind == RuleChangeKind::kMoved   ? "moved"
                                                      : "changed";
    for (const std::string& field : change.fields) line += " " + field;
    summary.push_back(line);
  }
  // Moving "ping" up one place moves only it: the others keep their order.
  EXPECT_THAT(summary,
              ElementsAre("no-telnet removed", "ping moved position", "web changed ports",
                          "partners-api added", "dns-internal-only changed service protocol ports",
                          "smtp-out moved chain"));
  const RuleChange& smtp = diff.rules.back();
  ASSERT_TRUE(smtp.before && smtp.after);
  EXPECT_EQ(smtp.before->chain, ChainKind::kOutput);
  EXPECT_EQ(smtp.before->index, 1u);
  EXPECT_EQ(smtp.after->chain, ChainKind::kForward);
  EXPECT_EQ(smtp.after->index, 0u);
}

TEST(FirewallPolicyDiff, InsertingARuleAtTheTopMovesNothing) {
  const PolicyDocument before = parse_valid(R"({"chains": {"input": {"policy": "accept", "rules": [
      {"id": "a", "action": "drop"}, {"id": "b", "action": "drop"}, {"id": "c", "action": "drop"}]}}})");
  const PolicyDocument after = parse_valid(R"({"chains": {"input": {"policy": "accept", "rules": [
      {"id": "new", "action": "accept"}, {"id": "a", "action": "drop"}, {"id": "b", "action": "drop"},
      {"id": "c", "action": "drop"}]}}})");
  const PolicyDiff diff = diff_policies(before, after);
  ASSERT_EQ(diff.rules.size(), 1u);
  EXPECT_EQ(diff.rules[0].id, "new");
  EXPECT_EQ(diff.rules[0].kind, RuleChangeKind::kAdded);
}

TEST(FirewallPolicyDiff, BecomesJsonForTheApi) {
  const PolicyDocument before =
      parse_valid(R"({"description": "v1", "objects": {"port_sets": {"p": {"ports": [1]}}},
      "chains": {"input": {"policy": "accept", "rules": [{"id": "a", "action": "drop"}]}}})");
  const PolicyDocument after =
      parse_valid(R"({"description": "v2", "objects": {"port_sets": {"p": {"ports": [1, 2]}}},
      "chains": {"input": {"policy": "drop", "rules": [{"id": "a", "action": "reject", "enabled": false}]}}})");
  EXPECT_EQ(
      boost::json::serialize(to_json(diff_policies(before, after))),
      R"({"description_changed":true,)"
      R"("default_policies":[{"chain":"input","before":"accept","after":"drop"}],)"
      R"("objects":[{"change":"changed","type":"port_set","name":"p","fields":["ports"],"added_entries":["2"]}],)"
      R"("rules":[{"change":"changed","id":"a","before":{"chain":"input","index":0},)"
      R"("after":{"chain":"input","index":0},"fields":["action","enabled"]}]})");
}

}  // namespace
}  // namespace sentinel::firewall
