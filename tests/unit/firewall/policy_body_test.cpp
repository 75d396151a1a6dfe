// The bodies of the firewall policy routes: what a good body gives, and that every refusal
// names the field the caller got wrong (duplicate keys inside the document included).

#include "src/firewall/policy_body.h"

#include <gtest/gtest.h>

namespace sentinel::firewall {
namespace {

template <typename T>
void expect_refused(const Result<T>& parsed, std::string_view field, std::string_view words) {
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(parsed.error().field, field) << parsed.error().message;
  EXPECT_NE(parsed.error().message.find(words), std::string::npos) << parsed.error().message;
}

constexpr std::string_view kDocument = R"({"chains": {"input": {"policy": "drop"}}})";

TEST(PolicyBodyTest, ANewPolicyCarriesItsDocumentAsJson) {
  auto parsed = parse_new_policy(
      R"({"name": "web", "description": "front", "comment": "first", "document": )" +
      std::string(kDocument) + "}");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->name, "web");
  EXPECT_EQ(parsed->description, "front");
  EXPECT_EQ(parsed->comment, "first");
  EXPECT_EQ(parsed->document_json, R"({"chains":{"input":{"policy":"drop"}}})");

  expect_refused(parse_new_policy(R"({"document": {}})"), "name", "required");
  expect_refused(parse_new_policy(R"({"name": "web"})"), "document", "required");
  expect_refused(parse_new_policy(R"({"name": "web", "document": "{}"})"), "document",
                 "JSON object");
  expect_refused(parse_new_policy(R"({"name": "web", "document": {}, "owner": "x"})"), "owner",
                 "unknown field");
  expect_refused(parse_new_policy(R"({"name": 7, "document": {}})"), "name", "string");
}

TEST(PolicyBodyTest, AKeyGivenTwiceAnywhereIsRefused) {
  // boost::json alone would keep the second "policy" silently.
  expect_refused(
      parse_new_policy(
          R"({"name": "web", "document": {"chains": {"input": {"policy": "drop", "policy": "accept"}}}})"),
      "document", "document.chains.input.policy");
  expect_refused(parse_new_policy(R"({"name": "a", "name": "b", "document": {}})"), "name",
                 "more than once");
}

TEST(PolicyBodyTest, TheBaseVersionComesFromTheBodyOrIfMatch) {
  const std::string body = R"({"document": )" + std::string(kDocument) + "}";
  EXPECT_FALSE(parse_policy_edit(body, "")->base_version);
  EXPECT_EQ(parse_policy_edit(body, "\"4\"")->base_version, std::optional<std::int64_t>(4));
  EXPECT_EQ(parse_policy_edit(body, "4")->base_version, std::optional<std::int64_t>(4));
  const std::string with_base =
      R"({"base_version": 3, "document": )" + std::string(kDocument) + "}";
  EXPECT_EQ(parse_policy_edit(with_base, "")->base_version, std::optional<std::int64_t>(3));
  EXPECT_EQ(parse_policy_edit(with_base, "3")->base_version, std::optional<std::int64_t>(3));
  expect_refused(parse_policy_edit(with_base, "4"), "base_version", "disagree");
  expect_refused(parse_policy_edit(body, "W/\"4\""), "If-Match", "version");
  expect_refused(parse_policy_edit(R"({"base_version": 0, "document": {}})", ""), "base_version",
                 "version number");
}

TEST(PolicyBodyTest, RollbackNeedsAVersion) {
  auto parsed = parse_policy_rollback(R"({"version": 2, "comment": "back"})", "5");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->version, 2);
  EXPECT_EQ(parsed->comment, "back");
  EXPECT_EQ(parsed->base_version, std::optional<std::int64_t>(5));
  expect_refused(parse_policy_rollback("{}", ""), "version", "required");
  expect_refused(parse_policy_rollback(R"({"version": "2"})", ""), "version", "integer");
}

TEST(PolicyBodyTest, AssignmentsNameOneTargetEach) {
  auto parsed = parse_assignments(
      R"({"assignments": [{"group": "web", "priority": 10}, {"agent_id": "agt_x"}]})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].target, AssignmentTarget::kGroup);
  EXPECT_EQ((*parsed)[0].value, "web");
  EXPECT_EQ((*parsed)[0].priority, 10);
  EXPECT_EQ((*parsed)[1].target, AssignmentTarget::kAgent);
  EXPECT_EQ((*parsed)[1].priority, 0);
  EXPECT_TRUE(parse_assignments(R"({"assignments": []})")->empty());

  expect_refused(parse_assignments("{}"), "assignments", "required");
  expect_refused(parse_assignments(R"({"assignments": [{"group": "a", "agent_id": "b"}]})"),
                 "assignments[0]", "exactly one");
  expect_refused(parse_assignments(R"({"assignments": [{"group": "a"}, {}]})"), "assignments[1]",
                 "exactly one");
  expect_refused(parse_assignments(R"({"assignments": [{"group": "a", "priority": "high"}]})"),
                 "assignments[0].priority", "integer");
  expect_refused(parse_assignments(R"({"assignments": [{"group": "a", "weight": 1}]})"),
                 "assignments[0].weight", "unknown field");
  expect_refused(parse_assignments(R"({"assignments": [{"group": ""}]})"), "assignments[0].group",
                 "empty");
}

TEST(PolicyBodyTest, ApplyAndValidateBodies) {
  EXPECT_TRUE(parse_apply_request("")->agent_ids.empty()) << "an empty body: every agent";
  auto apply = parse_apply_request(R"({"policy_id": 3, "agent_ids": ["agt_a"], "force": true})");
  ASSERT_TRUE(apply) << apply.error().message;
  EXPECT_EQ(apply->policy_id, std::optional<std::int64_t>(3));
  EXPECT_EQ(apply->agent_ids, std::vector<std::string>{"agt_a"});
  EXPECT_TRUE(apply->force);
  expect_refused(parse_apply_request(R"({"policy_id": 0})"), "policy_id", "policy id");
  expect_refused(parse_apply_request(R"({"agent_ids": "agt_a"})"), "agent_ids", "list");
  expect_refused(parse_apply_request(R"({"force": "yes"})"), "force", "true or false");

  auto validate = parse_validation_request(R"({"document": {}, "agent_id": "agt_a"})");
  ASSERT_TRUE(validate) << validate.error().message;
  EXPECT_EQ(validate->agent_id, std::optional<std::string>("agt_a"));
  EXPECT_FALSE(validate->force);
  expect_refused(parse_validation_request(R"({"agent_id": "agt_a"})"), "document", "required");
}

}  // namespace
}  // namespace sentinel::firewall
