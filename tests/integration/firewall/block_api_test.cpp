// /api/v1/firewall/blocks and /api/v1/firewall/allow-list through a real server on SQLite and
// PostgreSQL: the CONTRACT routes, escalation, the allow-list, bad bodies, who may do what, and
// the audit trail.

#include <gmock/gmock.h>

#include <boost/json.hpp>

#include "tests/integration/api_fixture.h"

namespace sentinel::test {
namespace {

namespace json = boost::json;

using ::testing::HasSubstr;

constexpr const char* kBlocks = "/api/v1/firewall/blocks";
constexpr const char* kAllowList = "/api/v1/firewall/allow-list";

std::string block_path(std::int64_t id) { return std::string(kBlocks) + "/" + std::to_string(id); }

std::vector<std::int64_t> ids_of(const json::value& page) {
  std::vector<std::int64_t> ids;
  for (const json::value& item : page.at("items").as_array()) {
    ids.push_back(item.at("id").as_int64());
  }
  return ids;
}

class BlockApiTest : public ApiTest {
 protected:
  client::HttpReply post(client::ApiClient& api, const std::string& path, const json::value& body) {
    auto reply = api.post(path, body);
    EXPECT_TRUE(reply) << reply.error().message;
    return reply ? *reply : client::HttpReply{};
  }

  client::HttpReply get(client::ApiClient& api, const std::string& path) {
    auto reply = api.get(path);
    EXPECT_TRUE(reply) << reply.error().message;
    return reply ? *reply : client::HttpReply{};
  }

  client::HttpReply del(client::ApiClient& api, const std::string& path) {
    auto reply = api.del(path);
    EXPECT_TRUE(reply) << reply.error().message;
    return reply ? *reply : client::HttpReply{};
  }

  /// A 400 whose error names `field`, and whose message names it too.
  void expect_bad_field(const client::HttpReply& reply, const std::string& field,
                        const std::string& what) {
    EXPECT_EQ(reply.status, 400) << what << ": " << reply.body;
    const auto error = reply.api_error();
    ASSERT_TRUE(error) << what << ": " << reply.body;
    EXPECT_EQ(error->code, "invalid_argument") << what;
    EXPECT_EQ(error->field, field) << what << ": " << error->message;
    EXPECT_THAT(error->message, HasSubstr(field)) << what;
  }
};

TEST_P(BlockApiTest, BlockListAndUnblockAsTheContractSays) {
  client::ApiClient api = admin();
  const auto created = post(api, kBlocks, {{"address", "203.0.113.9"}, {"duration_s", 600}});
  ASSERT_EQ(created.status, 201) << created.body;
  const json::value block = body_of(created);
  const std::int64_t id = block.at("id").as_int64();
  EXPECT_GT(id, 0);
  EXPECT_EQ(block.at("address"), "203.0.113.9");
  EXPECT_EQ(block.at("scope"), "all");
  EXPECT_EQ(block.at("agent_id"), nullptr);
  EXPECT_EQ(block.at("duration_s"), 600);
  EXPECT_EQ(block.at("offence"), 1);
  EXPECT_EQ(block.at("requested_by"), "admin");
  EXPECT_EQ(block.at("active"), true);

  const auto listed = get(api, kBlocks);
  ASSERT_EQ(listed.status, 200) << listed.body;
  const json::value page = body_of(listed);
  EXPECT_EQ(ids_of(page), std::vector<std::int64_t>{id});
  EXPECT_EQ(page.at("total"), 1);
  const json::value& item = page.at("items").as_array()[0];
  EXPECT_GT(item.at("remaining_s").as_int64(), 500);
  EXPECT_LE(item.at("remaining_s").as_int64(), 600);
  EXPECT_EQ(ids_of(body_of(get(api, std::string(kBlocks) + "?active=true"))),
            std::vector<std::int64_t>{id});
  EXPECT_TRUE(ids_of(body_of(get(api, std::string(kBlocks) + "?active=false"))).empty());
  EXPECT_EQ(get(api, block_path(id)).status, 200);

  // A second block of the same address within a day lasts twice as long.
  const auto again = post(api, kBlocks, {{"address", "203.0.113.9"}, {"duration_s", 600}});
  ASSERT_EQ(again.status, 201) << again.body;
  const std::int64_t second = body_of(again).at("id").as_int64();
  EXPECT_EQ(body_of(again).at("offence"), 2);
  EXPECT_EQ(body_of(again).at("duration_s"), 1200);

  const auto removed = del(api, block_path(second));
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(body_of(removed).at("active"), false);
  EXPECT_EQ(body_of(removed).at("removed_by"), "admin");
  EXPECT_EQ(body_of(removed).at("remaining_s"), 0);
  // The first was superseded by the second, so nothing is active any more.
  EXPECT_TRUE(ids_of(body_of(get(api, std::string(kBlocks) + "?active=true"))).empty());
  EXPECT_EQ(ids_of(body_of(get(api, std::string(kBlocks) + "?active=false"))),
            (std::vector<std::int64_t>{second, id}));

  const auto twice = del(api, block_path(second));
  EXPECT_EQ(twice.status, 409) << twice.body;
  EXPECT_EQ(del(api, block_path(999999)).status, 404);
  EXPECT_EQ(del(api, std::string(kBlocks) + "/abc").status, 404);
}

TEST_P(BlockApiTest, TheAllowListWinsAndNamesTheEntryThatProtects) {
  client::ApiClient api = admin();
  const auto loopback = post(api, kBlocks, {{"address", "127.0.0.1"}, {"duration_s", 600}});
  EXPECT_EQ(loopback.status, 409) << loopback.body;
  EXPECT_EQ(error_code(loopback), "allow_listed");
  ASSERT_TRUE(loopback.api_error());
  EXPECT_THAT(loopback.api_error()->message, HasSubstr("loopback (127.0.0.0/8)"));

  // An active block inside a network that becomes allow-listed is lifted.
  const auto inside = post(api, kBlocks, {{"address", "198.51.100.5"}, {"duration_s", 600}});
  ASSERT_EQ(inside.status, 201) << inside.body;
  const std::int64_t inside_id = body_of(inside).at("id").as_int64();
  const auto added =
      post(api, kAllowList, {{"cidr", "198.51.100.0/24"}, {"comment", "partner network"}});
  ASSERT_EQ(added.status, 201) << added.body;
  const json::value entry = body_of(added);
  const std::int64_t entry_id = entry.at("id").as_int64();
  EXPECT_EQ(entry.at("lifted_blocks"), json::array{inside_id});
  EXPECT_EQ(body_of(get(api, block_path(inside_id))).at("active"), false);

  const auto refused = post(api, kBlocks, {{"address", "198.51.100.77"}, {"duration_s", 60}});
  EXPECT_EQ(refused.status, 409) << refused.body;
  ASSERT_TRUE(refused.api_error());
  EXPECT_THAT(refused.api_error()->message,
              HasSubstr("allow-list entry " + std::to_string(entry_id) +
                        " (198.51.100.0/24, partner network)"));
  EXPECT_EQ(post(api, kAllowList, {{"cidr", "198.51.100.0/24"}}).status, 409);

  const auto listed = get(api, kAllowList);
  ASSERT_EQ(listed.status, 200);
  bool builtin_loopback = false, admin_entry = false;
  const json::value entries = body_of(listed);
  for (const json::value& item : entries.at("items").as_array()) {
    if (item.at("cidr") == "127.0.0.0/8" && item.at("builtin") == true) builtin_loopback = true;
    if (item.at("cidr") == "198.51.100.0/24" && item.at("created_by") == "admin") {
      admin_entry = true;
    }
  }
  EXPECT_TRUE(builtin_loopback) << listed.body;
  EXPECT_TRUE(admin_entry) << listed.body;

  EXPECT_EQ(del(api, std::string(kAllowList) + "/" + std::to_string(entry_id)).status, 204);
  EXPECT_EQ(del(api, std::string(kAllowList) + "/" + std::to_string(entry_id)).status, 404);
  EXPECT_EQ(post(api, kBlocks, {{"address", "198.51.100.77"}, {"duration_s", 60}}).status, 201);
  EXPECT_TRUE(ids_of(body_of(get(api, std::string(kBlocks) + "?active=true"))).size() == 1);
}

TEST_P(BlockApiTest, BadBodiesAreRefusedNamingTheField) {
  client::ApiClient api = admin();
  expect_bad_field(post(api, kBlocks, {{"duration_s", 600}}), "address", "no address");
  expect_bad_field(post(api, kBlocks, {{"address", "10.0.0.0/8"}, {"duration_s", 600}}), "address",
                   "a network");
  expect_bad_field(post(api, kBlocks, {{"address", "example.com"}, {"duration_s", 600}}), "address",
                   "a name");
  expect_bad_field(post(api, kBlocks, {{"address", 167772161}, {"duration_s", 600}}), "address",
                   "a number");
  expect_bad_field(post(api, kBlocks, {{"address", "203.0.113.1"}}), "duration_s", "no duration");
  expect_bad_field(post(api, kBlocks, {{"address", "203.0.113.1"}, {"duration_s", 0}}),
                   "duration_s", "zero");
  expect_bad_field(post(api, kBlocks, {{"address", "203.0.113.1"}, {"duration_s", 604801}}),
                   "duration_s", "over 7 days");
  expect_bad_field(post(api, kBlocks, {{"address", "203.0.113.1"}, {"duration_s", "600"}}),
                   "duration_s", "a string");
  expect_bad_field(post(api, kBlocks, {{"address", "203.0.113.1"}, {"duration_s", 1.5}}),
                   "duration_s", "a fraction");
  expect_bad_field(post(api, kBlocks,
                        {{"address", "203.0.113.1"}, {"duration_s", 60}, {"agent_id", "agt_nope"}}),
                   "agent_id", "an unknown agent");
  expect_bad_field(
      post(api, kBlocks, {{"address", "203.0.113.1"}, {"duration_s", 60}, {"group", "a b"}}),
      "group", "a bad group");
  const auto unknown =
      post(api, kBlocks, {{"address", "203.0.113.1"}, {"duration_s", 60}, {"forever", true}});
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  ASSERT_TRUE(unknown.api_error());
  EXPECT_THAT(unknown.api_error()->message, HasSubstr("forever"));
  expect_bad_field(get(api, std::string(kBlocks) + "?active=maybe"), "active", "active=maybe");
  expect_bad_field(post(api, kAllowList, {{"cidr", "10.0.0.1/8"}}), "cidr", "host bits set");
  expect_bad_field(post(api, kAllowList, {{"cidr", "10.0.0.0/8"}, {"comment", "a\nb"}}), "comment",
                   "a control character");
  // Nothing of it was stored.
  EXPECT_EQ(body_of(get(api, kBlocks)).at("total"), 0);
}

TEST_P(BlockApiTest, AViewerReadsButCannotBlockAndEveryChangeIsAudited) {
  client::ApiClient root = admin();
  const std::string password = "Firewall-Viewer-Password-4471";
  create_user(root, "fw-viewer", password, "viewer");
  client::ApiClient viewer = anonymous();
  ASSERT_EQ(login(viewer, "fw-viewer", password).status, 200);

  const auto blocked = post(
      root, kBlocks,
      {{"address", "2001:db8::9"}, {"duration_s", 60}, {"reason", "port scan from a lab host"}});
  ASSERT_EQ(blocked.status, 201) << blocked.body;
  const std::int64_t id = body_of(blocked).at("id").as_int64();
  EXPECT_EQ(get(viewer, kBlocks).status, 200);
  EXPECT_EQ(get(viewer, kAllowList).status, 200);
  const auto denied = post(viewer, kBlocks, {{"address", "203.0.113.1"}, {"duration_s", 60}});
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(error_code(denied), "permission_denied");
  EXPECT_EQ(del(viewer, block_path(id)).status, 403);
  EXPECT_EQ(post(viewer, kAllowList, {{"cidr", "192.0.2.0/24"}}).status, 403);
  EXPECT_EQ(body_of(get(root, block_path(id))).at("active"), true) << "the viewer changed nothing";

  ASSERT_EQ(del(root, block_path(id)).status, 200);
  EXPECT_EQ(post(root, kBlocks, {{"address", "::1"}, {"duration_s", 60}}).status, 409);

  const auto audit = get(root, "/api/v1/audit?action=firewall.");
  ASSERT_EQ(audit.status, 200) << audit.body;
  std::vector<std::string> trail;
  const json::value audit_page = body_of(audit);
  for (const json::value& entry : audit_page.at("items").as_array()) {
    trail.push_back(std::string(entry.at("action").as_string()) + ":" +
                    std::string(entry.at("outcome").as_string()) + ":" +
                    std::string(entry.at("actor").as_string()));
  }
  // Newest first.
  EXPECT_EQ(trail, (std::vector<std::string>{"firewall.block:denied:admin",
                                             "firewall.unblock:success:admin",
                                             "firewall.block:success:admin"}))
      << audit.body;
  EXPECT_THAT(audit.body, HasSubstr("port scan from a lab host"));
}

SENTINEL_BOTH_BACKENDS(BlockApiTest);

}  // namespace
}  // namespace sentinel::test
