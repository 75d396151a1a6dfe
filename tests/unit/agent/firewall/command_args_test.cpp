// The firewall commands' arguments as the server sends them (ADR 0006): a valid set parses
// into canonical values, and each invalid, missing or unknown argument is refused with a
// message naming the field, before anything reaches nftables.

#include "agent/firewall/command_args.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <functional>

namespace sentinel::agent::firewall {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;

const std::string kHash(64, 'a');
const std::string kNft =
    "table inet sentinel {}\ndelete table inet sentinel\ntable inet sentinel {\n"
    "\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t}\n}\n";

json::object valid_apply() {
  return json::object{
      {"policy_id", "web-servers"},
      {"version", 3},
      {"document_hash", kHash},
      {"nft", kNft},
      {"grace_s", 60},
      {"blocks", json::array{json::object{{"address", "192.0.2.7"}, {"remaining_s", 120}}}}};
}

TEST(FirewallCommandArgs, AValidApplyParsesIntoCanonicalValues) {
  json::object args = valid_apply();
  args["policy_id"] = 7;
  args["blocks"] = json::array{
      json::object{{"address", "2001:DB8::1"}, {"remaining_s", 30}},
      json::object{{"address", "2001:db8:0::1"}, {"remaining_s", 90}},  // the same, longer
      json::object{{"address", "192.0.2.7"}, {"remaining_s", 5}}};
  auto parsed = parse_apply_args(args);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->policy_id, "7");
  EXPECT_EQ(parsed->release.version, 3);
  EXPECT_EQ(parsed->release.document_hash, kHash);
  EXPECT_EQ(parsed->release.nft_text, kNft);
  EXPECT_EQ(parsed->grace, std::chrono::seconds(60));
  EXPECT_EQ(parsed->blocks, (std::vector<BlockEntry>{{"192.0.2.7", std::chrono::seconds(5)},
                                                     {"2001:db8::1", std::chrono::seconds(90)}}));

  args.erase("blocks");
  auto without_blocks = parse_apply_args(args);
  ASSERT_TRUE(without_blocks) << without_blocks.error().message;
  EXPECT_TRUE(without_blocks->blocks.empty());
}

struct BadApply {
  const char* what;
  std::function<void(json::object&)> change;
  const char* field;
  const char* message;
};

TEST(FirewallCommandArgs, EachBadApplyArgumentIsNamed) {
  const std::vector<BadApply> cases = {
      {"unknown argument", [](json::object& a) { a["force"] = true; }, "force", "unknown argument"},
      {"no policy id", [](json::object& a) { a.erase("policy_id"); }, "policy_id", "missing"},
      {"policy id with a space", [](json::object& a) { a["policy_id"] = "web servers"; },
       "policy_id", "only letters"},
      {"policy id zero", [](json::object& a) { a["policy_id"] = 0; }, "policy_id", "from 1"},
      {"no version", [](json::object& a) { a.erase("version"); }, "version", "missing"},
      {"version as text", [](json::object& a) { a["version"] = "3"; }, "version",
       "must be an integer"},
      {"version as a double", [](json::object& a) { a["version"] = 3.0; }, "version",
       "must be an integer"},
      {"version zero", [](json::object& a) { a["version"] = 0; }, "version", "from 1"},
      {"short hash", [](json::object& a) { a["document_hash"] = "abc"; }, "document_hash",
       "SHA-256"},
      {"upper-case hash", [](json::object& a) { a["document_hash"] = std::string(64, 'A'); },
       "document_hash", "SHA-256"},
      {"nft not text", [](json::object& a) { a["nft"] = 1; }, "nft", "must be a string"},
      {"nft without the replace prefix",
       [](json::object& a) { a["nft"] = "table inet sentinel {\n}\n"; }, "nft",
       "replaces the table"},
      {"nft naming another table",
       [](json::object& a) { a["nft"] = kNft + "flush table inet filter\n"; }, "nft",
       "does not name table inet sentinel"},
      {"nft including a file",
       [](json::object& a) { a["nft"] = kNft + "include \"/etc/shadow\"\n"; }, "nft", "include"},
      {"nft with a NUL cutting it short",
       [](json::object& a) { a["nft"] = kNft + std::string(1, '\0') + "flush ruleset\n"; }, "nft",
       "control character 0x00"},
      {"nft too long",
       [](json::object& a) { a["nft"] = kNft + std::string(kMaxNftTextBytes, '#'); }, "nft",
       "longer than"},
      {"no grace", [](json::object& a) { a.erase("grace_s"); }, "grace_s", "missing"},
      {"grace zero", [](json::object& a) { a["grace_s"] = 0; }, "grace_s", "from 1 to 86400"},
      {"grace over a day", [](json::object& a) { a["grace_s"] = 86401; }, "grace_s",
       "from 1 to 86400"},
      {"blocks not an array", [](json::object& a) { a["blocks"] = "192.0.2.1"; }, "blocks",
       "must be an array"},
      {"a block that is a network",
       [](json::object& a) {
         a["blocks"].as_array().push_back(
             json::object{{"address", "10.0.0.0/8"}, {"remaining_s", 60}});
       },
       "blocks[1].address", ""},
      {"a block with shell metacharacters",
       [](json::object& a) {
         a["blocks"].as_array().push_back(
             json::object{{"address", "192.0.2.1; nft flush ruleset"}, {"remaining_s", 60}});
       },
       "blocks[1].address", ""},
      {"a block of loopback",
       [](json::object& a) { a["blocks"].as_array()[0].as_object()["address"] = "127.0.0.1"; },
       "blocks[0].address", "loopback"},
      {"a block without time",
       [](json::object& a) { a["blocks"].as_array()[0].as_object().erase("remaining_s"); },
       "blocks[0].remaining_s", "missing"},
      {"a block of 31 days",
       [](json::object& a) {
         a["blocks"].as_array()[0].as_object()["remaining_s"] = 31 * 24 * 3600;
       },
       "blocks[0].remaining_s", "from 1 to 2592000"},
      {"a block with an unknown field",
       [](json::object& a) { a["blocks"].as_array()[0].as_object()["reason"] = "ssh"; },
       "blocks[0].reason", "unknown argument"},
  };
  for (const BadApply& bad : cases) {
    json::object args = valid_apply();
    bad.change(args);
    auto parsed = parse_apply_args(args);
    ASSERT_FALSE(parsed) << bad.what;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << bad.what;
    EXPECT_EQ(parsed.error().field, bad.field) << bad.what << ": " << parsed.error().message;
    EXPECT_THAT(parsed.error().message, HasSubstr(std::string(bad.field) + ": ")) << bad.what;
    EXPECT_THAT(parsed.error().message, HasSubstr(bad.message)) << bad.what;
  }
}

TEST(FirewallCommandArgs, BlockAndUnblockTakeDistinctHostAddresses) {
  auto parsed = parse_block_args(
      json::object{{"addresses", json::array{"198.51.100.4", "2001:DB8::5", "2001:db8::5"}},
                   {"duration_s", 600}});
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->addresses, (std::vector<std::string>{"198.51.100.4", "2001:db8::5"}));
  EXPECT_EQ(parsed->duration, std::chrono::seconds(600));

  auto unblock = parse_unblock_args(json::object{{"addresses", json::array{"198.51.100.4"}}});
  ASSERT_TRUE(unblock) << unblock.error().message;
  EXPECT_EQ(unblock->addresses, std::vector<std::string>{"198.51.100.4"});

  const std::vector<std::pair<json::object, std::string>> bad = {
      {json::object{{"duration_s", 60}}, "addresses: missing"},
      {json::object{{"addresses", json::array{}}, {"duration_s", 60}},
       "addresses: must not be empty"},
      {json::object{{"addresses", "198.51.100.4"}, {"duration_s", 60}},
       "addresses: must be an array"},
      {json::object{{"addresses", json::array{"198.51.100.4", 7}}, {"duration_s", 60}},
       "addresses[1]: must be a string"},
      {json::object{{"addresses", json::array{"::1"}}, {"duration_s", 60}},
       "addresses[0]: a loopback address is never blocked"},
      {json::object{{"addresses", json::array{"0.0.0.0"}}, {"duration_s", 60}},
       "addresses[0]: the unspecified address is never blocked"},
      {json::object{{"addresses", json::array{"$(reboot)"}}, {"duration_s", 60}}, "addresses[0]: "},
      {json::object{{"addresses", json::array{"198.51.100.4"}}}, "duration_s: missing"},
      {json::object{{"addresses", json::array{"198.51.100.4"}}, {"duration_s", -5}},
       "duration_s: must be from 1"},
      {json::object{
           {"addresses", json::array{"198.51.100.4"}}, {"duration_s", 60}, {"scope", "all"}},
       "scope: unknown argument"},
  };
  for (const auto& [args, message] : bad) {
    auto refused = parse_block_args(args);
    ASSERT_FALSE(refused) << message;
    EXPECT_THAT(refused.error().message, HasSubstr(message));
  }
  json::array too_many;
  for (std::size_t i = 0; i <= kMaxCommandAddresses; ++i) too_many.push_back("198.51.100.4");
  auto huge = parse_unblock_args(json::object{{"addresses", too_many}});
  ASSERT_FALSE(huge);
  EXPECT_THAT(huge.error().message, HasSubstr("addresses: at most 100000"));
}

TEST(FirewallCommandArgs, ConfirmAndStatusAreStrictToo) {
  auto confirm = parse_confirm_args(json::object{{"version", 4}});
  ASSERT_TRUE(confirm);
  EXPECT_EQ(confirm->version, 4);
  EXPECT_EQ(parse_confirm_args(json::object{}).error().message, "version: missing");
  EXPECT_EQ(parse_confirm_args(json::object{{"version", true}}).error().field, "version");
  EXPECT_EQ(parse_confirm_args(json::object{{"version", 4}, {"policy_id", 1}}).error().field,
            "policy_id");
  EXPECT_TRUE(parse_status_args(json::object{}));
  auto status = parse_status_args(json::object{{"verbose", true}});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message, "verbose: unknown argument (this command takes none)");
}

}  // namespace
}  // namespace sentinel::agent::firewall
