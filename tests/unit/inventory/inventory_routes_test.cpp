// The inventory routes over a real InventoryService on SQLite: response shapes, sorting, and
// validation of path and query parameters.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "sentinel/inventory/routes.h"
#include "tests/support/test_database.h"

namespace sentinel::inventory {
namespace {

constexpr std::int64_t kEventMs = 1767225600000;  // 2026-01-01T00:00:00Z
const std::string kAgent = "agt_routes2345";

boost::json::object package(std::string name, std::string version, std::string arch = "amd64") {
  return {{"name", std::move(name)},
          {"version", std::move(version)},
          {"arch", std::move(arch)},
          {"source", "dpkg"}};
}

class InventoryRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = test::open_test_database("sqlite", dir_);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    service_ = InventoryService::create(*db_, clock_);
    ASSERT_TRUE(register_inventory_routes(router_, *service_));
  }

  void apply(std::string_view type, boost::json::object data, const std::string& agent = kAgent) {
    const protocol::Event event{1, kEventMs, std::string(type), std::move(data)};
    std::vector<DerivedEvent> derived;
    auto status = db_->transact(
        [&](store::Connection& tx) { return service_->apply(tx, agent, event, derived); });
    ASSERT_TRUE(status) << status.error().message;
  }

  void snapshot(std::string_view section, boost::json::array items,
                const std::string& agent = kAgent) {
    apply("inventory.snapshot",
          {{"section", section}, {"items", std::move(items)}, {"part", 1}, {"parts", 1}}, agent);
  }

  Result<gateway::Response> get(std::string_view path,
                                std::map<std::string, std::string, std::less<>> query = {}) {
    const gateway::RouteMatch match = router_.match("GET", path);
    EXPECT_EQ(match.kind, gateway::RouteMatch::Kind::kFound) << path;
    if (match.kind != gateway::RouteMatch::Kind::kFound) return internal_error("no route");
    gateway::Request request;
    request.method = "GET";
    request.path = std::string(path);
    request.query = std::move(query);
    request.path_params = match.params;
    return match.route->handler(request);
  }

  boost::json::value body(std::string_view path,
                          std::map<std::string, std::string, std::less<>> query = {}) {
    auto response = get(path, std::move(query));
    EXPECT_TRUE(response) << path << ": " << response.error().message;
    if (!response) return nullptr;
    EXPECT_EQ(response->status, 200);
    return boost::json::parse(response->body);
  }

  Error failure(std::string_view path, std::map<std::string, std::string, std::less<>> query = {}) {
    auto response = get(path, std::move(query));
    EXPECT_FALSE(response) << path;
    return response ? Error{} : response.error();
  }

  test::TempDir dir_{"sentinel-inventory-routes"};
  ManualClock clock_{kEventMs};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<InventoryService> service_;
  gateway::Router router_;
};

TEST_F(InventoryRoutesTest, EveryRouteNeedsAgentsRead) {
  ASSERT_EQ(router_.routes().size(), 5u);
  for (const gateway::Route& route : router_.routes()) {
    EXPECT_EQ(route.permission, "agents:read") << route.pattern;
  }
}

TEST_F(InventoryRoutesTest, PackagesIsASortedArrayOfTheContractShape) {
  snapshot("packages", {package("zlib1g", "1:1.2.13.dfsg-1"), package("libc6", "2.36-9", "i386"),
                        package("bash", "5.2.15-2+b2"), package("libc6", "2.36-9")});
  EXPECT_EQ(boost::json::serialize(body("/api/v1/agents/" + kAgent + "/packages")),
            R"([{"name":"bash","version":"5.2.15-2+b2","arch":"amd64","source":"dpkg"},)"
            R"({"name":"libc6","version":"2.36-9","arch":"amd64","source":"dpkg"},)"
            R"({"name":"libc6","version":"2.36-9","arch":"i386","source":"dpkg"},)"
            R"({"name":"zlib1g","version":"1:1.2.13.dfsg-1","arch":"amd64","source":"dpkg"}])");
  EXPECT_EQ(boost::json::serialize(body("/api/v1/agents/agt_other/packages")), "[]");
  EXPECT_EQ(failure("/api/v1/agents/not-an-agent/packages").code, ErrorCode::kNotFound);
}

TEST_F(InventoryRoutesTest, SectionItemsAndUnknownSection) {
  snapshot(
      "users",
      {boost::json::object{
          {"name", "root"}, {"uid", 0}, {"gid", 0}, {"home", "/root"}, {"shell", "/bin/bash"}}});
  const auto users = body("/api/v1/agents/" + kAgent + "/inventory/users");
  ASSERT_EQ(users.at("items").as_array().size(), 1u);
  EXPECT_EQ(users.at("items").at(0).at("shell").as_string(), "/bin/bash");
  EXPECT_TRUE(
      body("/api/v1/agents/" + kAgent + "/inventory/sessions").at("items").as_array().empty());
  EXPECT_EQ(failure("/api/v1/agents/" + kAgent + "/inventory/secrets").code, ErrorCode::kNotFound);
}

TEST_F(InventoryRoutesTest, ChangesNewestFirstWithIsoTimesAndFilters) {
  snapshot("packages", {package("bash", "5.2-1")});
  snapshot("packages", {package("bash", "5.2-2"), package("vim", "9.0-1")});
  snapshot("users", {});
  apply("inventory.delta",
        {{"section", "users"},
         {"added",
          boost::json::array{boost::json::object{
              {"name", "eve"}, {"uid", 0}, {"gid", 0}, {"home", "/"}, {"shell", "/bin/sh"}}}},
         {"removed", boost::json::array()},
         {"changed", boost::json::array()}});

  const auto all = body("/api/v1/agents/" + kAgent + "/changes");
  const auto& items = all.at("items").as_array();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].at("key").as_string(), "eve");
  EXPECT_EQ(items[0].at("kind").as_string(), "added");
  EXPECT_TRUE(items[0].at("before").is_null());
  EXPECT_EQ(items[0].at("time").as_string(), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(items[2].at("key").as_string(), "bash:amd64");
  EXPECT_EQ(items[2].at("before").at("version").as_string(), "5.2-1");

  const auto packages =
      body("/api/v1/agents/" + kAgent + "/changes", {{"section", "packages"}, {"limit", "1"}});
  ASSERT_EQ(packages.at("items").as_array().size(), 1u);
  EXPECT_EQ(packages.at("items").at(0).at("key").as_string(), "vim:amd64");
  const auto older =
      body("/api/v1/agents/" + kAgent + "/changes",
           {{"section", "packages"},
            {"before", std::to_string(packages.at("items").at(0).at("id").as_int64())}});
  ASSERT_EQ(older.at("items").as_array().size(), 1u);
  EXPECT_EQ(older.at("items").at(0).at("key").as_string(), "bash:amd64");

  EXPECT_EQ(failure("/api/v1/agents/" + kAgent + "/changes", {{"limit", "0"}}).field, "limit");
  EXPECT_EQ(failure("/api/v1/agents/" + kAgent + "/changes", {{"limit", "ten"}}).field, "limit");
  EXPECT_EQ(failure("/api/v1/agents/" + kAgent + "/changes", {{"section", "bogus"}}).field,
            "section");
}

TEST_F(InventoryRoutesTest, HostsWithPackageBelowAVersion) {
  snapshot("packages", {package("openssl", "3.0.11-1~deb12u2")}, "agt_old");
  snapshot("packages", {package("openssl", "3.0.13-1~deb12u1")}, "agt_new");
  const auto all = body("/api/v1/inventory/packages", {{"name", "openssl"}});
  EXPECT_EQ(all.at("items").as_array().size(), 2u);
  const auto below =
      body("/api/v1/inventory/packages", {{"name", "openssl"}, {"below", "3.0.13-1~deb12u1"}});
  EXPECT_EQ(
      boost::json::serialize(below),
      R"({"items":[{"agent_id":"agt_old","name":"openssl","version":"3.0.11-1~deb12u2","arch":"amd64"}]})");
  EXPECT_EQ(failure("/api/v1/inventory/packages").field, "name");
  EXPECT_EQ(failure("/api/v1/inventory/packages", {{"name", "a b"}}).field, "name");
  EXPECT_EQ(failure("/api/v1/inventory/packages", {{"name", "openssl"}, {"below", ""}}).field,
            "below");
}

TEST_F(InventoryRoutesTest, HostsListeningOnAPort) {
  snapshot("listening", {boost::json::object{{"protocol", "tcp"},
                                             {"address", "0.0.0.0"},
                                             {"port", 5432},
                                             {"pid", 812},
                                             {"process", "postgres"},
                                             {"uid", 105},
                                             {"user", "postgres"}},
                         boost::json::object{{"protocol", "udp"},
                                             {"address", "0.0.0.0"},
                                             {"port", 5432},
                                             {"pid", nullptr},
                                             {"process", nullptr},
                                             {"uid", 0},
                                             {"user", "root"}}});
  const auto both = body("/api/v1/inventory/ports", {{"port", "5432"}});
  ASSERT_EQ(both.at("items").as_array().size(), 2u);
  EXPECT_TRUE(both.at("items").at(1).at("process").is_null());
  const auto tcp = body("/api/v1/inventory/ports", {{"port", "5432"}, {"protocol", "tcp"}});
  EXPECT_EQ(
      boost::json::serialize(tcp),
      R"({"items":[{"agent_id":"agt_routes2345","protocol":"tcp","address":"0.0.0.0","port":5432,"process":"postgres"}]})");
  EXPECT_EQ(failure("/api/v1/inventory/ports").field, "port");
  EXPECT_EQ(failure("/api/v1/inventory/ports", {{"port", "0"}}).field, "port");
  EXPECT_EQ(failure("/api/v1/inventory/ports", {{"port", "70000"}}).field, "port");
  EXPECT_EQ(failure("/api/v1/inventory/ports", {{"port", "22"}, {"protocol", "icmp"}}).field,
            "protocol");
}

}  // namespace
}  // namespace sentinel::inventory
