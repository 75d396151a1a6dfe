// What agents answer to the firewall commands, read strictly: wrong types and missing fields
// are refused naming the field; the arguments the server sends have the ADR's shape.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "src/firewall/effective_policy.h"
#include "src/firewall/firewall_commands.h"

namespace sentinel::firewall {
namespace {

boost::json::object object(std::string_view json) { return boost::json::parse(json).as_object(); }

TEST(FirewallCommandResultTest, ApplyReport) {
  auto report = parse_apply_result(
      object(R"({"version":3,"document_hash":"ab","listing_hash":"cd","sets":{"block_v4":2},)"
             R"("blocks_kept":2,"later_field":true})"));
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->version, 3);
  EXPECT_EQ(report->document_hash, "ab");
  EXPECT_EQ(report->listing_hash, "cd");
  EXPECT_EQ(report->sets.at("block_v4"), 2);
  EXPECT_EQ(report->blocks_kept, 2);

  const auto refused = [](std::string_view json, std::string_view field) {
    auto parsed = parse_apply_result(object(json));
    ASSERT_FALSE(parsed) << json;
    EXPECT_EQ(parsed.error().field, field) << parsed.error().message;
  };
  refused(R"({"document_hash":"ab","listing_hash":"cd","sets":{},"blocks_kept":0})", "version");
  refused(R"({"version":"3","document_hash":"ab","listing_hash":"cd","sets":{},"blocks_kept":0})",
          "version");
  refused(
      R"({"version":3,"document_hash":"ab","listing_hash":"cd","sets":{"a":-1},"blocks_kept":0})",
      "sets");
  refused(R"({"version":3,"document_hash":"ab","listing_hash":"cd","sets":[],"blocks_kept":0})",
          "sets");
  refused(R"({"version":3,"document_hash":"ab","listing_hash":7,"sets":{},"blocks_kept":0})",
          "listing_hash");
}

TEST(FirewallCommandResultTest, StatusReport) {
  auto report = parse_status_result(
      object(R"({"confirmed_version":2,"pending_version":null,"listing_hash":"","sets":{},)"
             R"("blocks":[{"address":"192.0.2.1","expires_s":30}]})"));
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->confirmed_version, std::optional<std::int64_t>(2));
  EXPECT_FALSE(report->pending_version);
  EXPECT_TRUE(report->listing_hash.empty());
  ASSERT_EQ(report->blocks.size(), 1u);
  EXPECT_EQ(report->blocks[0].address, "192.0.2.1");
  EXPECT_EQ(report->blocks[0].expires_s, 30);
  auto missing = parse_status_result(
      object(R"({"confirmed_version":2,"listing_hash":"","sets":{},"blocks":[]})"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().field, "pending_version");
  auto bad_block = parse_status_result(
      object(R"({"confirmed_version":null,"pending_version":null,"listing_hash":"","sets":{},)"
             R"("blocks":[{"address":"192.0.2.1"}]})"));
  ASSERT_FALSE(bad_block);
  EXPECT_EQ(bad_block.error().field, "expires_s");
  EXPECT_EQ(parse_confirm_result(object(R"({"confirmed_version":4})")).value_or(0), 4);
  EXPECT_FALSE(parse_confirm_result(object(R"({"confirmed_version":0})")));
}

TEST(FirewallCommandResultTest, ApplyArgumentsHaveTheAdrShape) {
  const boost::json::object args = apply_args({.policy_id = 7,
                                               .version = 2,
                                               .document_hash = "h",
                                               .nft = "table inet sentinel {}",
                                               .grace_s = 60,
                                               .blocks = {{"198.51.100.1", 90}}});
  EXPECT_EQ(boost::json::serialize(args),
            R"({"policy_id":7,"version":2,"document_hash":"h","nft":"table inet sentinel {}",)"
            R"("grace_s":60,"blocks":[{"address":"198.51.100.1","remaining_s":90}]})");
}

TEST(FirewallCommandResultTest, TheWinningAssignment) {
  const auto group = [](std::int64_t policy, std::int64_t priority) {
    return Assignment{.policy_id = policy,
                      .target = AssignmentTarget::kGroup,
                      .value = "web",
                      .priority = priority};
  };
  const auto single = [](std::int64_t policy, std::int64_t priority) {
    return Assignment{.policy_id = policy,
                      .target = AssignmentTarget::kAgent,
                      .value = "agt_a",
                      .priority = priority};
  };
  EXPECT_FALSE(winning_assignment({}));
  EXPECT_EQ(winning_assignment({group(1, 5), group(2, 9), group(3, 1)})->policy_id, 2);
  EXPECT_EQ(winning_assignment({group(1, 100), single(4, -100)})->policy_id, 4)
      << "an agent's own assignment beats any group priority";
  EXPECT_EQ(winning_assignment({group(8, 5), group(3, 5)})->policy_id, 3)
      << "equal priorities: the lowest policy id, the same answer everywhere";
}

}  // namespace
}  // namespace sentinel::firewall
