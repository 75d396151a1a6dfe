// Threat-intel feeds through the API of a real server (SQLite and PostgreSQL): a feed read from
// a file in the server's feed directory and one fetched from a small HTTP server on 127.0.0.1,
// refreshed on demand; their networks in the nft text an agent's preview shows; a broken fetch
// that keeps the previous contents and says why; bad bodies, unknown feeds, and a feed that a
// policy still uses. No traffic leaves 127.0.0.1.

#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/agents/agents_api_support.h"
#include "tests/support/tiny_http_server.h"

namespace sentinel::test {
namespace {

namespace json = boost::json;

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kFeeds = "/api/v1/firewall/feeds";

/// Drops what both feeds list, accepts ssh from the admins.
const json::value kPolicy = json::parse(R"({
  "objects": {"address_sets": {
    "local": {"feed": "local-list"},
    "remote": {"feed": "remote-list"},
    "admins": {"addresses": ["10.0.0.0/24"]}
  }},
  "chains": {
    "input": {"policy": "drop", "rules": [
      {"id": "drop-local", "source": "local", "action": "drop"},
      {"id": "drop-remote", "source": "remote", "action": "drop"},
      {"id": "ssh-admins", "source": "admins", "protocol": "tcp", "ports": 22, "action": "accept"}
    ]},
    "output": {"policy": "accept"}
  }
})");

class FeedApiTest : public AgentsApiTest {
 protected:
  void SetUp() override {
    AgentsApiTest::SetUp();
    if (HasFatalFailure()) return;
    auto http = TinyHttpServer::start();
    ASSERT_TRUE(http) << http.error().message;
    http_ = std::move(*http);
    // The server made its feed directory at start; sources name its real path.
    std::error_code error;
    feed_dir_ = std::filesystem::canonical(server_->data_dir() + "/feeds", error);
    ASSERT_FALSE(error) << "no feed directory: " << error.message();
  }

  client::HttpReply call(client::ApiClient& api, const std::string& method, const std::string& path,
                         std::optional<json::value> body = {}) {
    auto reply = api.request(method, path, body);
    EXPECT_TRUE(reply) << method << " " << path << ": " << reply.error().message;
    return reply ? *reply : client::HttpReply{};
  }

  std::string feed_file(const std::string& name, const std::string& text) {
    const std::filesystem::path path = feed_dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }

  /// A 400 whose error names `field`.
  void expect_bad_field(const client::HttpReply& reply, const std::string& field,
                        const std::string& what) {
    EXPECT_EQ(reply.status, 400) << what << ": " << reply.body;
    const auto error = reply.api_error();
    ASSERT_TRUE(error) << what << ": " << reply.body;
    EXPECT_EQ(error->code, "invalid_argument") << what;
    EXPECT_EQ(error->field, field) << what << ": " << error->message;
  }

  std::string nft_of(client::ApiClient& api, std::int64_t policy_id, const std::string& agent_id) {
    auto preview = call(
        api, "GET",
        "/api/v1/firewall/policies/" + std::to_string(policy_id) + "/preview?agent=" + agent_id);
    EXPECT_EQ(preview.status, 200) << preview.body;
    const json::value shown = body_of(preview);
    const auto* nft = shown.is_object() ? shown.as_object().if_contains("nft") : nullptr;
    EXPECT_TRUE(nft != nullptr && nft->is_string()) << preview.body;
    return nft != nullptr && nft->is_string() ? std::string(nft->as_string()) : std::string();
  }

  std::unique_ptr<TinyHttpServer> http_;
  std::filesystem::path feed_dir_;
};

TEST_P(FeedApiTest, FeedsFromAFileAndAUrlFillTheSetsAnAgentGets) {
  client::ApiClient root = admin();
  // Addresses away from the host's own interfaces, which the allow-list keeps out of feeds.
  const std::string local_path =
      feed_file("local.txt", "# our own list\n198.18.7.0/28\n203.0.113.99\n");
  http_->set_text("/bad.txt", "198.51.100.0/24\n2001:db8:bad::/48\nnonsense\n");

  auto local =
      call(root, "POST", kFeeds, json::object{{"name", "local-list"}, {"source", local_path}});
  ASSERT_EQ(local.status, 201) << local.body;
  EXPECT_EQ(body_of(local).at("format"), "plain");
  EXPECT_EQ(body_of(local).at("refresh_s"), 3600);
  auto remote = call(root, "POST", kFeeds,
                     json::object{{"name", "remote-list"},
                                  {"source", http_->url("/bad.txt")},
                                  {"refresh_s", 600},
                                  {"description", "test feed"}});
  ASSERT_EQ(remote.status, 201) << remote.body;
  EXPECT_EQ(body_of(remote).at("created_by"), "admin");

  auto refreshed = call(root, "POST", std::string(kFeeds) + "/local-list/refresh");
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  EXPECT_EQ(body_of(refreshed).at("ok"), true) << refreshed.body;
  EXPECT_EQ(body_of(refreshed).at("entries"), 2);
  refreshed = call(root, "POST", std::string(kFeeds) + "/remote-list/refresh");
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const json::value outcome = body_of(refreshed);
  EXPECT_EQ(outcome.at("ok"), true) << refreshed.body;
  EXPECT_EQ(outcome.at("entries"), 2);
  EXPECT_EQ(outcome.at("bad_lines"), 1);
  ASSERT_EQ(outcome.at("problems").as_array().size(), 1u) << refreshed.body;
  EXPECT_EQ(outcome.at("problems").at(0).at("line"), 3);
  EXPECT_THAT(std::string(outcome.at("problems").at(0).at("message").as_string()),
              HasSubstr("nonsense"));
  EXPECT_FALSE(http_->requests().empty());

  auto created = call(root, "POST", "/api/v1/firewall/policies",
                      json::object{{"name", "edge"}, {"document", kPolicy}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::int64_t policy_id = body_of(created).at("id").as_int64();
  const std::string agent_id = enrolled_agent(root, "edge-1");
  ASSERT_FALSE(agent_id.empty());
  const std::string nft = nft_of(root, policy_id, agent_id);
  EXPECT_THAT(nft, HasSubstr("198.18.7.0/28"));
  EXPECT_THAT(nft, HasSubstr("203.0.113.99"));
  EXPECT_THAT(nft, HasSubstr("198.51.100.0/24"));
  EXPECT_THAT(nft, HasSubstr("2001:db8:bad::/48"));

  auto listed = call(root, "GET", kFeeds);
  ASSERT_EQ(listed.status, 200) << listed.body;
  const json::value page = body_of(listed);
  const auto& items = page.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("name"), "local-list");
  EXPECT_EQ(items[1].at("entries"), 2);
  EXPECT_NE(items[1].at("last_success_at"), nullptr);
  auto shown = call(root, "GET", std::string(kFeeds) + "/remote-list");
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(body_of(shown).at("used_by").at(0).at("name"), "edge");
  EXPECT_EQ(body_of(shown).at("description"), "test feed");

  // The publisher breaks: the refresh says why, and the previous contents stay in the sets.
  TinyHttpServer::Reply broken;
  broken.status = 500;
  broken.reason = "Internal Server Error";
  broken.body = "oops";
  http_->set("/bad.txt", broken);
  refreshed = call(root, "POST", std::string(kFeeds) + "/remote-list/refresh");
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const json::value failed = body_of(refreshed);
  EXPECT_EQ(failed.at("ok"), false);
  EXPECT_THAT(std::string(failed.at("error").as_string()), HasSubstr("HTTP 500"));
  EXPECT_EQ(failed.at("entries"), 2) << "the previous contents stay";
  EXPECT_THAT(nft_of(root, policy_id, agent_id), HasSubstr("198.51.100.0/24"));
  shown = call(root, "GET", std::string(kFeeds) + "/remote-list");
  EXPECT_THAT(std::string(body_of(shown).at("last_error").as_string()), HasSubstr("HTTP 500"));

  // A new list replaces the old one.
  http_->set_text("/bad.txt", "203.0.113.0/24\n");
  refreshed = call(root, "POST", std::string(kFeeds) + "/remote-list/refresh");
  ASSERT_EQ(body_of(refreshed).at("ok"), true) << refreshed.body;
  EXPECT_EQ(body_of(refreshed).at("feed").at("last_error"), nullptr);
  const std::string replaced = nft_of(root, policy_id, agent_id);
  EXPECT_THAT(replaced, HasSubstr("203.0.113.0/24"));
  EXPECT_THAT(replaced, Not(HasSubstr("198.51.100.0/24")));

  // A feed the policy names cannot go; once the policy is gone, it can.
  auto in_use = call(root, "DELETE", std::string(kFeeds) + "/remote-list");
  EXPECT_EQ(in_use.status, 409) << in_use.body;
  EXPECT_EQ(error_code(in_use), "feed_in_use");
  ASSERT_TRUE(in_use.api_error());
  EXPECT_THAT(in_use.api_error()->message, HasSubstr("\"edge\""));
  EXPECT_EQ(call(root, "DELETE", "/api/v1/firewall/policies/" + std::to_string(policy_id)).status,
            204);
  EXPECT_EQ(call(root, "DELETE", std::string(kFeeds) + "/remote-list").status, 204);
  EXPECT_EQ(call(root, "GET", std::string(kFeeds) + "/remote-list").status, 404);

  auto audit = call(root, "GET", "/api/v1/audit?action=firewall.feed.&limit=50");
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_THAT(audit.body, HasSubstr("firewall.feed.create"));
  EXPECT_THAT(audit.body, HasSubstr("firewall.feed.refresh"));
  EXPECT_THAT(audit.body, HasSubstr("firewall.feed.delete"));
}

// An admin allow-lists a partner's network that a feed lists: the partner gets through at once,
// not at the feed's next fetch, and is blocked again once the entry goes. A feed network that
// overlaps an entry in part is left out whole, as a fetch leaves it out.
TEST_P(FeedApiTest, AnAllowListEntryTakesEffectOnFeedNetworksWithoutAFetch) {
  client::ApiClient root = admin();
  const std::string source = feed_file("partners.txt", "198.51.100.0/24\n203.0.113.0/24\n");
  ASSERT_EQ(
      call(root, "POST", kFeeds, json::object{{"name", "local-list"}, {"source", source}}).status,
      201);
  auto refreshed = call(root, "POST", std::string(kFeeds) + "/local-list/refresh");
  ASSERT_EQ(body_of(refreshed).at("ok"), true) << refreshed.body;
  auto created = call(root, "POST", "/api/v1/firewall/policies",
                      json::object{{"name", "edge"}, {"document", json::parse(R"({
                      "objects": {"address_sets": {"local": {"feed": "local-list"}}},
                      "chains": {"input": {"policy": "accept", "rules": [
                        {"id": "drop-local", "source": "local", "action": "drop"}]}}})")}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::int64_t policy_id = body_of(created).at("id").as_int64();
  const std::string agent_id = enrolled_agent(root, "edge-1");
  ASSERT_FALSE(agent_id.empty());
  std::string nft = nft_of(root, policy_id, agent_id);
  EXPECT_THAT(nft, HasSubstr("198.51.100.0/24"));
  EXPECT_THAT(nft, HasSubstr("203.0.113.0/24"));
  const json::value fetched = body_of(call(root, "GET", std::string(kFeeds) + "/local-list"));

  const auto allow = [&](const std::string& cidr) -> std::int64_t {
    auto added = call(root, "POST", "/api/v1/firewall/allow-list",
                      json::object{{"cidr", cidr}, {"comment", "partner"}});
    EXPECT_EQ(added.status, 201) << added.body;
    const json::value entry = body_of(added);
    return entry.is_object() && entry.as_object().contains("id") ? entry.at("id").as_int64() : 0;
  };
  const std::int64_t partner = allow("198.51.100.0/24");
  nft = nft_of(root, policy_id, agent_id);
  EXPECT_THAT(nft, Not(HasSubstr("198.51.100.0/24"))) << "allow-listed at once";
  EXPECT_THAT(nft, HasSubstr("203.0.113.0/24"));
  EXPECT_EQ(body_of(call(root, "GET", std::string(kFeeds) + "/local-list")).at("last_fetch_at"),
            fetched.at("last_fetch_at"))
      << "without a fetch";

  // A fetch while the entry stands reports the network it leaves out, without a line number.
  refreshed = call(root, "POST", std::string(kFeeds) + "/local-list/refresh");
  const json::value outcome = body_of(refreshed);
  ASSERT_EQ(outcome.at("ok"), true) << refreshed.body;
  EXPECT_EQ(outcome.at("entries"), 1);
  EXPECT_EQ(outcome.at("bad_lines"), 1);
  ASSERT_EQ(outcome.at("problems").as_array().size(), 1u) << refreshed.body;
  EXPECT_FALSE(outcome.at("problems").at(0).as_object().contains("line")) << refreshed.body;
  EXPECT_THAT(std::string(outcome.at("problems").at(0).at("message").as_string()),
              HasSubstr("'198.51.100.0/24' overlaps allow-list entry"));

  // The entry goes: the feed's network is back at once, whatever the last fetch left out.
  EXPECT_EQ(call(root, "DELETE", "/api/v1/firewall/allow-list/" + std::to_string(partner)).status,
            204);
  nft = nft_of(root, policy_id, agent_id);
  EXPECT_THAT(nft, HasSubstr("198.51.100.0/24")) << "blocked again at once";
  EXPECT_THAT(nft, HasSubstr("203.0.113.0/24"));

  // One host of the feed's network allow-listed: the whole network is left out.
  const std::int64_t host = allow("198.51.100.7");
  nft = nft_of(root, policy_id, agent_id);
  EXPECT_THAT(nft, Not(HasSubstr("198.51.100.")));
  EXPECT_THAT(nft, HasSubstr("203.0.113.0/24"));
  EXPECT_EQ(call(root, "DELETE", "/api/v1/firewall/allow-list/" + std::to_string(host)).status,
            204);
  EXPECT_THAT(nft_of(root, policy_id, agent_id), HasSubstr("198.51.100.0/24"));

  auto audit = call(root, "GET", "/api/v1/audit?action=firewall.allow_list.&limit=50");
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_THAT(audit.body, HasSubstr("firewall.allow_list.add"));
  EXPECT_THAT(audit.body, HasSubstr("firewall.allow_list.remove"));
  EXPECT_THAT(server_->log(),
              HasSubstr("feed=local-list networks in effect changed with the allow-list"));
}

TEST_P(FeedApiTest, BadBodiesUnknownFeedsAndForbiddenSourcesAreRefused) {
  client::ApiClient root = admin();
  const std::string feeds = kFeeds;
  expect_bad_field(call(root, "POST", feeds, json::object{{"source", http_->url("/x")}}), "name",
                   "no name");
  expect_bad_field(call(root, "POST", feeds, json::object{{"name", "x"}}), "source", "no source");
  expect_bad_field(
      call(root, "POST", feeds, json::object{{"name", "x"}, {"source", "y"}, {"colour", "red"}}),
      "colour", "unknown key");
  expect_bad_field(
      call(root, "POST", feeds,
           json::object{{"name", "x"}, {"source", http_->url("/x")}, {"refresh_s", "1h"}}),
      "refresh_s", "refresh as text");
  expect_bad_field(
      call(root, "POST", feeds,
           json::object{{"name", "x"}, {"source", http_->url("/x")}, {"refresh_s", 10}}),
      "refresh_s", "refresh too often");
  expect_bad_field(
      call(root, "POST", feeds,
           json::object{{"name", "x"}, {"source", http_->url("/x")}, {"format", "xml"}}),
      "format", "unknown format");
  expect_bad_field(
      call(root, "POST", feeds,
           json::object{{"name", "x"}, {"source", http_->url("/x")}, {"format", "csv"}}),
      "column", "csv without column");
  expect_bad_field(
      call(root, "POST", feeds, json::object{{"name", "1st"}, {"source", http_->url("/x")}}),
      "name", "name not an object name");
  expect_bad_field(
      call(root, "POST", feeds, json::object{{"name", "x"}, {"source", "ftp://127.0.0.1/x"}}),
      "source", "ftp");
  expect_bad_field(
      call(root, "POST", feeds, json::object{{"name", "x"}, {"source", "/etc/passwd"}}), "source",
      "file outside the feed directory");
  expect_bad_field(
      call(root, "POST", feeds,
           json::object{{"name", "x"}, {"source", (feed_dir_ / ".." / "sentinel.db").string()}}),
      "source", "a way out of the feed directory");
  expect_bad_field(call(root, "POST", feeds, json::value(json::array{})), "", "not an object");
  auto listed = call(root, "GET", feeds);
  EXPECT_TRUE(body_of(listed).at("items").as_array().empty()) << "nothing was stored";

  ASSERT_EQ(
      call(root, "POST", feeds, json::object{{"name", "x"}, {"source", http_->url("/x")}}).status,
      201);
  auto twice = call(root, "POST", feeds, json::object{{"name", "x"}, {"source", http_->url("/y")}});
  EXPECT_EQ(twice.status, 409) << twice.body;
  expect_bad_field(call(root, "PUT", feeds + "/x", json::object{{"name", "y"}}), "name", "rename");
  expect_bad_field(call(root, "PUT", feeds + "/x", json::object{{"enabled", "no"}}), "enabled",
                   "enabled as text");
  auto changed = call(root, "PUT", feeds + "/x", json::object{{"enabled", false}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(body_of(changed).at("enabled"), false);

  for (const std::string method : {"GET", "PUT", "DELETE"}) {
    std::optional<json::value> body;
    if (method == "PUT") body = json::object{{"enabled", true}};
    EXPECT_EQ(call(root, method, feeds + "/nope", body).status, 404) << method;
    EXPECT_EQ(call(root, method, feeds + "/1nope", body).status, 404) << method;
  }
  EXPECT_EQ(call(root, "POST", feeds + "/nope/refresh").status, 404);

  // A refresh of a source that answers nothing usable keeps nothing and says why.
  auto empty_feed = call(root, "PUT", feeds + "/x", json::object{{"enabled", true}});
  ASSERT_EQ(empty_feed.status, 200);
  auto refresh = call(root, "POST", feeds + "/x/refresh");
  ASSERT_EQ(refresh.status, 200) << refresh.body;
  EXPECT_EQ(body_of(refresh).at("ok"), false);
  EXPECT_THAT(std::string(body_of(refresh).at("error").as_string()), HasSubstr("HTTP 404"));
}

TEST_P(FeedApiTest, ADefinitionIsRefusedWithEveryProblemAtOnce) {
  client::ApiClient root = admin();
  const std::string feeds = kFeeds;
  // The problems in the body's field order, each {"path": FIELD, "message": its message}.
  const auto problems_of = [](const client::HttpReply& reply) {
    std::vector<std::pair<std::string, std::string>> out;
    const json::value body = body_of(reply);
    const auto* problems = body.is_object() ? body.as_object().if_contains("problems") : nullptr;
    if (problems == nullptr || !problems->is_array()) return out;
    for (const json::value& problem : problems->as_array()) {
      EXPECT_EQ(problem.at("severity"), "error") << reply.body;
      out.emplace_back(problem.at("path").as_string(), problem.at("message").as_string());
    }
    return out;
  };
  using Problems = std::vector<std::pair<std::string, std::string>>;

  auto created =
      call(root, "POST", feeds,
           json::object{{"name", "1st"}, {"source", "ftp://127.0.0.1/x"}, {"refresh_s", 10}});
  expect_bad_field(created, "name", "the first problem's field");
  const Problems expected_on_create = {
      {"name",
       "a feed name is a letter, then up to 31 letters, digits, '_' or '-' (policies name it in "
       "an address set's \"feed\")"},
      {"source", "'ftp://127.0.0.1/x': a feed URL starts with http:// or https://"},
      {"refresh_s", "'refresh_s' is between 300 and 604800 seconds"}};
  EXPECT_EQ(problems_of(created), expected_on_create) << created.body;
  ASSERT_TRUE(created.api_error());
  for (const auto& [field, message] : expected_on_create) {
    EXPECT_THAT(created.api_error()->message, HasSubstr(message)) << "the error names each";
  }
  EXPECT_TRUE(body_of(call(root, "GET", feeds)).at("items").as_array().empty());

  // A change is checked with the feed it makes: every problem of that, too.
  ASSERT_EQ(
      call(root, "POST", feeds, json::object{{"name", "x"}, {"source", http_->url("/x")}}).status,
      201);
  auto changed =
      call(root, "PUT", feeds + "/x",
           json::object{{"format", "csv"}, {"refresh_s", 999999}, {"description", "two\nlines"}});
  expect_bad_field(changed, "column", "the first problem's field");
  const Problems expected_on_change = {
      {"column",
       "a csv feed needs 'column': the header name or the 1-based number of the column that "
       "holds the address"},
      {"refresh_s", "'refresh_s' is between 300 and 604800 seconds"},
      {"description", "'description' has at most 1024 bytes on one line"}};
  EXPECT_EQ(problems_of(changed), expected_on_change) << changed.body;
  EXPECT_EQ(body_of(call(root, "GET", feeds + "/x")).at("format"), "plain") << "nothing changed";

  // One problem: the message it always had, and the list with that one.
  auto one = call(root, "POST", feeds, json::object{{"name", "y"}, {"source", "/etc/passwd"}});
  expect_bad_field(one, "source", "one problem");
  ASSERT_EQ(problems_of(one).size(), 1u) << one.body;
  ASSERT_TRUE(one.api_error());
  EXPECT_EQ(one.api_error()->message, problems_of(one).front().second);
}

// The feed's server chooses the bytes of its answers: what of them reaches the feed's last error
// is stored on either database, audited, and read back as JSON by sentinelctl and the portal.
TEST_P(FeedApiTest, AHostileRedirectLeavesTheFeedReadable) {
  client::ApiClient root = admin();
  TinyHttpServer::Reply moved;
  moved.status = 302;
  moved.reason = "Found";
  moved.headers = {{"Location", "/caf\xe9\xff"}};
  http_->set("/moved", moved);
  ASSERT_EQ(
      call(root, "POST", kFeeds, json::object{{"name", "moved"}, {"source", http_->url("/moved")}})
          .status,
      201);
  auto refreshed = call(root, "POST", std::string(kFeeds) + "/moved/refresh");
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const json::value outcome = body_of(refreshed);
  ASSERT_TRUE(outcome.is_object() && outcome.as_object().contains("ok")) << refreshed.body;
  EXPECT_EQ(outcome.at("ok"), false);
  EXPECT_THAT(std::string(outcome.at("error").as_string()), HasSubstr("which is not a URL"));

  auto listed = call(root, "GET", kFeeds);
  ASSERT_EQ(listed.status, 200);
  const json::value page = body_of(listed);
  ASSERT_TRUE(page.is_object() && page.as_object().contains("items")) << listed.body;
  EXPECT_THAT(std::string(page.at("items").at(0).at("last_error").as_string()),
              HasSubstr("which is not a URL"))
      << "the failure is recorded";
  auto audit = call(root, "GET", "/api/v1/audit?action=firewall.feed.refresh&limit=10");
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_THAT(audit.body, HasSubstr("firewall_feed:moved")) << "the refresh is audited";
}

// Feeds that need an API key often take it in the URL's query. Only those who may change feeds
// (they set it) read it back; viewers, the feed's last error, the audit log and the server's log
// show the query's values as ***.
TEST_P(FeedApiTest, AKeyInAFeedUrlReachesOnlyThoseWhoMayChangeFeeds) {
  constexpr const char* kKey = "s3cr3t-feed-key";
  client::ApiClient root = admin();
  const std::string source = http_->url("/keyed.txt") + "?apikey=" + kKey + "&v=2";
  const std::string shown = http_->url("/keyed.txt") + "?apikey=***&v=***";
  auto created = call(root, "POST", kFeeds, json::object{{"name", "keyed"}, {"source", source}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(body_of(created).at("source"), source.c_str()) << "the writer sees what they set";
  // Nothing is served there: the failure becomes the feed's last error.
  auto refreshed = call(root, "POST", std::string(kFeeds) + "/keyed/refresh");
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  EXPECT_THAT(refreshed.body, HasSubstr(shown + ": HTTP 404"));
  ASSERT_EQ(call(root, "PUT", std::string(kFeeds) + "/keyed",
                 json::object{{"description", "needs a key"}})
                .status,
            200);
  EXPECT_EQ(body_of(call(root, "GET", std::string(kFeeds) + "/keyed")).at("source"),
            source.c_str());

  create_user(root, "vera", "Copper-Lantern-Moss-5817", "viewer");
  client::ApiClient viewer = anonymous();
  ASSERT_EQ(login(viewer, "vera", "Copper-Lantern-Moss-5817").status, 200);
  auto listed = call(viewer, "GET", kFeeds);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(body_of(listed).at("items").at(0).at("source"), shown.c_str()) << listed.body;
  EXPECT_THAT(listed.body, HasSubstr(shown + ": HTTP 404")) << "the last error";
  auto shown_one = call(viewer, "GET", std::string(kFeeds) + "/keyed");
  ASSERT_EQ(shown_one.status, 200) << shown_one.body;
  EXPECT_EQ(body_of(shown_one).at("source"), shown.c_str());
  for (const auto* reply : {&listed, &shown_one}) {
    EXPECT_THAT(reply->body, Not(HasSubstr(kKey))) << reply->body;
  }

  ASSERT_EQ(call(root, "DELETE", std::string(kFeeds) + "/keyed").status, 204);
  auto audit = call(root, "GET", "/api/v1/audit?action=firewall.feed.&limit=50");
  ASSERT_EQ(audit.status, 200) << audit.body;
  for (const char* action : {"firewall.feed.create", "firewall.feed.refresh",
                             "firewall.feed.update", "firewall.feed.delete"}) {
    EXPECT_THAT(audit.body, HasSubstr(action));
  }
  EXPECT_THAT(audit.body, HasSubstr("apikey=***"));
  EXPECT_THAT(audit.body, Not(HasSubstr(kKey)));
  EXPECT_THAT(server_->log(), HasSubstr("feed created name=keyed"));
  EXPECT_THAT(server_->log(), Not(HasSubstr(kKey)));
}

SENTINEL_BOTH_BACKENDS(FeedApiTest);

}  // namespace
}  // namespace sentinel::test
