// Scan scopes through the API on a real server (SQLite and PostgreSQL) whose configuration
// allows 127.68.0.0/16: a scope an admin adds lets a scan of it start and find its listener,
// removing it refuses such scans again; the configuration's scope is listed but cannot be
// removed; only admins add scopes; the check route answers per target. Every address is in
// 127.0.0.0/8 (127.91.0.0/16 is used by no other test).

#include <gtest/gtest.h>

#include "tests/integration/scanner/scanner_support.h"

namespace sentinel::test {
namespace {

namespace json = boost::json;

constexpr const char* kAnalystPassword = "Copper-Lantern-Moss-5817";

class ScanScopesTest : public ScannerApiTest {
 protected:
  client::HttpReply scan(client::ApiClient& api, const std::string& target, std::uint16_t port) {
    return post_scan(api, {{"targets", json::array{target}}, {"ports", std::to_string(port)}});
  }

  json::array scopes(client::ApiClient& api) {
    auto listed = api.get("/api/v1/scan-scopes");
    EXPECT_TRUE(listed && listed->status == 200) << (listed ? listed->body : "");
    return listed ? body_of(*listed).at("items").as_array() : json::array{};
  }
};

TEST_P(ScanScopesTest, AnAddedScopeAllowsScansUntilItIsRemoved) {
  TcpListener web = TcpListener::open("127.91.0.1");
  client::ApiClient root = admin();

  const auto refused = scan(root, "127.91.0.1", web.port());
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(error_code(refused), "target_out_of_scope");

  // An analyst starts scans but may not widen what may be scanned.
  create_user(root, "ana", kAnalystPassword, "analyst");
  client::ApiClient analyst = anonymous();
  ASSERT_EQ(login(analyst, "ana", kAnalystPassword).status, 200);
  auto denied = analyst.post("/api/v1/scan-scopes", json::object{{"cidr", "127.91.0.0/16"}});
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403) << denied->body;

  auto added =
      root.post("/api/v1/scan-scopes", json::object{{"cidr", "127.91.0.0/16"}, {"comment", "lab"}});
  ASSERT_TRUE(added);
  ASSERT_EQ(added->status, 201) << added->body;
  const json::value scope = body_of(*added);
  const std::int64_t id = scope.at("id").as_int64();
  EXPECT_GT(id, 0);
  EXPECT_EQ(scope.at("cidr").as_string(), "127.91.0.0/16");
  EXPECT_EQ(scope.at("source").as_string(), "api");
  EXPECT_EQ(scope.at("created_by").as_string(), "admin");

  // The same network twice, or one the configuration already allows: 409.
  auto again = root.post("/api/v1/scan-scopes", json::object{{"cidr", "127.91.0.0/16"}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409) << again->body;
  auto configured = root.post("/api/v1/scan-scopes", json::object{{"cidr", kScanScope}});
  ASSERT_TRUE(configured);
  EXPECT_EQ(configured->status, 409) << configured->body;
  EXPECT_NE(configured->body.find("configuration"), std::string::npos) << configured->body;

  // The scan now starts, runs and finds the listener.
  const auto accepted = scan(root, "127.91.0.1", web.port());
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const std::int64_t job = body_of(accepted).at("id").as_int64();
  wait_completed(root, job);
  EXPECT_EQ(open_pairs(results(root, job)), std::set<std::string>{pair(web)});

  // Both sources are listed; the configuration's cannot be removed, and says why.
  const json::array listed = scopes(root);
  ASSERT_EQ(listed.size(), 2u) << json::serialize(listed);
  EXPECT_EQ(listed[0].at("cidr").as_string(), kScanScope);
  EXPECT_EQ(listed[0].at("source").as_string(), "config");
  EXPECT_FALSE(listed[0].at("deletable").as_bool());
  EXPECT_EQ(listed[1].at("id").as_int64(), id);
  EXPECT_EQ(listed[1].at("comment").as_string(), "lab");
  auto config_delete =
      root.del("/api/v1/scan-scopes/" + std::to_string(listed[0].at("id").as_int64()));
  ASSERT_TRUE(config_delete);
  EXPECT_EQ(config_delete->status, 409) << config_delete->body;
  EXPECT_NE(config_delete->body.find("configuration"), std::string::npos) << config_delete->body;
  EXPECT_EQ(scopes(root).size(), 2u);

  auto analyst_delete = analyst.del("/api/v1/scan-scopes/" + std::to_string(id));
  ASSERT_TRUE(analyst_delete);
  EXPECT_EQ(analyst_delete->status, 403);

  auto removed = root.del("/api/v1/scan-scopes/" + std::to_string(id));
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->status, 204) << removed->body;
  auto gone = root.del("/api/v1/scan-scopes/" + std::to_string(id));
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404);
  const auto refused_again = scan(root, "127.91.0.1", web.port());
  EXPECT_EQ(refused_again.status, 400) << refused_again.body;
  EXPECT_EQ(error_code(refused_again), "target_out_of_scope");

  auto audit = root.get("/api/v1/audit?action=scan_scope.");
  ASSERT_TRUE(audit && audit->status == 200);
  EXPECT_NE(audit->body.find("scan_scope.add"), std::string::npos) << audit->body;
  EXPECT_NE(audit->body.find("scan_scope.remove"), std::string::npos) << audit->body;
}

TEST_P(ScanScopesTest, ServicesAreNamedInAnAddedScope) {
  // Service detection on (the fixture turns it off): the detector takes the job's scopes,
  // those of the configuration and those added through the API.
  start_server({"--scan-scope", kScanScope});
  client::ApiClient root = admin();
  TalkingService ssh("127.91.0.7", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", "");
  auto added = root.post("/api/v1/scan-scopes", json::object{{"cidr", "127.91.0.0/24"}});
  ASSERT_TRUE(added && added->status == 201) << (added ? added->body : "");
  const auto accepted = scan(root, "127.91.0.7", ssh.listener().port());
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const std::int64_t job = body_of(accepted).at("id").as_int64();
  wait_completed(root, job);
  const json::value found = results(root, job);
  ASSERT_EQ(found.at("hosts").as_array().size(), 1u) << found;
  const json::value& port = found.at("hosts").at(0).at("ports").at(0);
  ASSERT_TRUE(port.at("service").is_object()) << found;
  EXPECT_EQ(port.at("service").at("service").as_string(), "ssh") << port;
}

TEST_P(ScanScopesTest, BodiesAreStrict) {
  client::ApiClient root = admin();
  const std::vector<std::pair<json::object, std::string>> bad = {
      {{{"cidr", "127.91.0.1/16"}}, "cidr"},
      {{{"cidr", "127.91.0.0/16,127.92.0.0/16"}}, "cidr"},
      {{{"cidr", "0.0.0.0/0"}}, "confirm_broad"},
      {{{"cidr", "127.91.0.0/16"}, {"size", 1}}, "size"},
  };
  for (const auto& [body, field] : bad) {
    auto reply = root.post("/api/v1/scan-scopes", body);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 400) << json::serialize(body) << " -> " << reply->body;
    auto error = reply->api_error();
    ASSERT_TRUE(error) << reply->body;
    EXPECT_EQ(error->field, field) << reply->body;
  }
  EXPECT_EQ(scopes(root).size(), 1u);
}

TEST_P(ScanScopesTest, CheckSaysWhatEachTargetCoversAndWhichScopeHoldsIt) {
  client::ApiClient root = admin();
  auto added = root.post("/api/v1/scan-scopes", json::object{{"cidr", "127.91.0.0/24"}});
  ASSERT_TRUE(added && added->status == 201);
  create_user(root, "vera", kAnalystPassword, "viewer");
  client::ApiClient viewer = anonymous();
  ASSERT_EQ(login(viewer, "vera", kAnalystPassword).status, 200);

  auto checked =
      viewer.post("/api/v1/scan-scopes/check",
                  json::object{{"targets", json::array{"127.68.0.1-4", "127.91.0.0/24",
                                                       "127.91.0.254-127.91.1.1", "127.92.0.0/30",
                                                       "127.91.0.300",
                                                       "127.91.0.0/24, 127.68.0.9 !127.91.0.0/25"}}});
  ASSERT_TRUE(checked);
  ASSERT_EQ(checked->status, 200) << checked->body;
  const json::value reply = body_of(*checked);
  EXPECT_FALSE(reply.at("all_in_scope").as_bool());
  const json::array& items = reply.at("items").as_array();
  ASSERT_EQ(items.size(), 6u) << reply;

  EXPECT_TRUE(items[0].at("parses").as_bool());
  EXPECT_EQ(items[0].at("addresses").as_int64(), 4);
  EXPECT_TRUE(items[0].at("in_scope").as_bool());
  EXPECT_EQ(items[0].at("scopes"), json::array{kScanScope});

  EXPECT_EQ(items[1].at("addresses").as_int64(), 256);
  EXPECT_TRUE(items[1].at("in_scope").as_bool());
  EXPECT_EQ(items[1].at("scopes"), json::array{"127.91.0.0/24"});

  // Half in the added scope, half outside every scope: the outside part is named.
  EXPECT_EQ(items[2].at("addresses").as_int64(), 4);
  EXPECT_FALSE(items[2].at("in_scope").as_bool());
  EXPECT_EQ(items[2].at("scopes"), json::array{"127.91.0.0/24"});
  EXPECT_EQ(items[2].at("outside"), json::array{"127.91.1.0/31"}) << items[2];

  EXPECT_FALSE(items[3].at("in_scope").as_bool());
  EXPECT_TRUE(items[3].at("scopes").as_array().empty());
  EXPECT_EQ(items[3].at("outside"), json::array{"127.92.0.0/30"});

  EXPECT_FALSE(items[4].at("parses").as_bool());
  EXPECT_FALSE(items[4].at("in_scope").as_bool());
  EXPECT_NE(std::string(items[4].at("error").as_string()).find("127.91.0.300"), std::string::npos)
      << items[4];

  // One entry holding a list with an exclusion is answered as a whole (the portal's question).
  EXPECT_TRUE(items[5].at("parses").as_bool()) << items[5];
  EXPECT_EQ(items[5].at("addresses").as_int64(), 129) << items[5];
  EXPECT_TRUE(items[5].at("in_scope").as_bool());
  EXPECT_EQ(items[5].at("scopes"), (json::array{kScanScope, "127.91.0.0/24"})) << items[5];

  auto empty = viewer.post("/api/v1/scan-scopes/check", json::object{{"targets", json::array{}}});
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 400);
}

SENTINEL_BOTH_BACKENDS(ScanScopesTest);

}  // namespace
}  // namespace sentinel::test
