// /api/v1/alerts through a real server on SQLite and PostgreSQL: what an analyst sees and does,
// who may do it, and how bad input is answered.

#include <boost/json.hpp>

#include "sentinel/common/time_format.h"
#include "tests/integration/alerts/alerts_api_support.h"

namespace sentinel::test {
namespace {

namespace json = boost::json;

constexpr std::int64_t kMinute = 60 * 1000;

std::string alert_path(std::int64_t id) { return "/api/v1/alerts/" + std::to_string(id); }

std::vector<std::int64_t> ids_of(const json::value& page) {
  std::vector<std::int64_t> ids;
  for (const json::value& item : page.at("items").as_array()) {
    ids.push_back(item.at("id").as_int64());
  }
  return ids;
}

class AlertsApiIntegrationTest : public AlertsApiTest {
 protected:
  /// Sends `body` as raw bytes in `method path` with the session of `api`.
  client::HttpReply send_raw(client::ApiClient& api, const std::string& method,
                             const std::string& path, const std::string& body) {
    const std::string raw = method + " " + path +
                            " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            "Cookie: " +
                            api.cookie_header().reveal() +
                            "\r\nX-CSRF-Token: " + api.csrf_token().reveal() +
                            "\r\nContent-Length: " + std::to_string(body.size()) +
                            "\r\nConnection: close\r\n\r\n" + body;
    auto reply = api.send_raw(raw);
    EXPECT_TRUE(reply) << reply.error().message;
    return reply ? *reply : client::HttpReply{};
  }

  /// `api` logged in as a new user holding `role`.
  client::ApiClient user_with_role(client::ApiClient& root, const std::string& username,
                                   const std::string& role) {
    const std::string password = "Alerts-Role-Password-7731";
    create_user(root, username, password, role);
    client::ApiClient api = anonymous();
    EXPECT_EQ(login(api, username, password).status, 200);
    return api;
  }

  void expect_bad_request(const client::HttpReply& reply, const std::string& field,
                          const std::string& what) {
    EXPECT_EQ(reply.status, 400) << what << ": " << reply.body;
    const auto error = reply.api_error();
    ASSERT_TRUE(error) << what << ": " << reply.body;
    EXPECT_EQ(error->code, "invalid_argument") << what;
    EXPECT_FALSE(error->message.empty()) << what;
    if (!field.empty()) {
      EXPECT_EQ(error->field, field) << what << ": " << reply.body;
    }
  }

  std::int64_t now_ = SystemClock().now_ms();
};

TEST_P(AlertsApiIntegrationTest, AnAnalystListsShowsTriagesAndComments) {
  client::ApiClient root = admin();
  const std::string agent = enrolled_agent(root, "web-7");
  ASSERT_FALSE(agent.empty());
  const std::vector<std::int64_t> events = store_events(agent, 3, now_ - 10 * kMinute);
  ASSERT_EQ(events.size(), 3u);

  detection::Detection brute =
      make_detection("ssh-brute-force", "source.ip=203.0.113.9", agent, now_ - 9 * kMinute);
  brute.event_ids = {events[0], events[1]};
  const std::int64_t id = record(brute);
  brute.time_ms = now_ - 8 * kMinute;
  brute.event_ids = {events[2]};
  ASSERT_EQ(record(brute), id) << "a second match within the window joins the alert";
  const std::int64_t older =
      record(make_detection("cron-change", "file.path=/etc/crontab", "", now_ - 20 * kMinute,
                            detection::Severity::kMedium));

  auto listed = root.get("/api/v1/alerts");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->status, 200) << listed->body;
  const json::value page = body_of(*listed);
  EXPECT_EQ(page.at("total").as_int64(), 2);
  EXPECT_EQ(ids_of(page), (std::vector<std::int64_t>{id, older})) << "newest last_seen first";
  const json::object& alert = page.at("items").at(0).as_object();
  EXPECT_EQ(alert.at("rule_id").as_string(), "ssh-brute-force");
  EXPECT_EQ(alert.at("rule_title").as_string(), "SSH brute force");
  EXPECT_EQ(alert.at("severity").as_string(), "high");
  EXPECT_EQ(alert.at("status").as_string(), "new");
  EXPECT_EQ(alert.at("agent_id").as_string(), agent);
  EXPECT_EQ(alert.at("hostname").as_string(), "web-7");
  EXPECT_EQ(alert.at("entity").as_string(), "source.ip=203.0.113.9");
  EXPECT_EQ(alert.at("summary").as_string(), "SSH brute force from source.ip=203.0.113.9");
  EXPECT_EQ(alert.at("tags"), json::value(json::array{"attack.t1110"}));
  EXPECT_EQ(alert.at("count").as_int64(), 2);
  EXPECT_EQ(alert.at("first_seen").as_string(), iso8601_utc(now_ - 9 * kMinute));
  EXPECT_EQ(alert.at("last_seen").as_string(), iso8601_utc(now_ - 8 * kMinute));
  EXPECT_TRUE(alert.at("assignee").is_null());
  EXPECT_EQ(alert.at("comment_count").as_int64(), 0);
  const json::object& cross_agent = page.at("items").at(1).as_object();
  EXPECT_TRUE(cross_agent.at("agent_id").is_null());
  EXPECT_TRUE(cross_agent.at("hostname").is_null());

  const auto filtered = [&](const std::string& query) {
    auto reply = root.get("/api/v1/alerts?" + query);
    EXPECT_TRUE(reply && reply->status == 200) << query << ": " << (reply ? reply->body : "");
    return reply && reply->status == 200 ? ids_of(body_of(*reply)) : std::vector<std::int64_t>{};
  };
  using Ids = std::vector<std::int64_t>;
  EXPECT_EQ(filtered("severity=high"), (Ids{id}));
  EXPECT_EQ(filtered("severity=medium"), (Ids{id, older}));
  EXPECT_EQ(filtered("rule=cron-change"), (Ids{older}));
  EXPECT_EQ(filtered("agent=" + agent), (Ids{id}));
  EXPECT_EQ(filtered("q=CRONTAB"), (Ids{older}));
  EXPECT_EQ(filtered("since=" + std::to_string(now_ - 15 * kMinute)), (Ids{id}));
  EXPECT_EQ(filtered("limit=1&offset=1"), (Ids{older}));

  // Acknowledge and take it.
  auto patched =
      root.patch(alert_path(id), json::object{{"status", "acknowledged"}, {"assignee", "admin"}});
  ASSERT_TRUE(patched);
  ASSERT_EQ(patched->status, 200) << patched->body;
  EXPECT_EQ(body_of(*patched).at("status").as_string(), "acknowledged");
  EXPECT_EQ(body_of(*patched).at("assignee").as_string(), "admin");
  EXPECT_EQ(filtered("status=new"), (Ids{older}));
  EXPECT_EQ(filtered("status=acknowledged,resolved"), (Ids{id}));

  auto commented =
      root.post(alert_path(id) + "/comments", json::object{{"text", "Source blocked upstream."}});
  ASSERT_TRUE(commented);
  ASSERT_EQ(commented->status, 201) << commented->body;
  EXPECT_EQ(body_of(*commented).at("author").as_string(), "admin");
  EXPECT_EQ(body_of(*commented).at("text").as_string(), "Source blocked upstream.");

  auto shown = root.get(alert_path(id));
  ASSERT_TRUE(shown);
  ASSERT_EQ(shown->status, 200) << shown->body;
  const json::value detail = body_of(*shown);
  EXPECT_EQ(detail.at("comment_count").as_int64(), 1);
  const json::array& evidence = detail.at("evidence").as_array();
  ASSERT_EQ(evidence.size(), 3u);
  EXPECT_EQ(evidence[0].at("id").as_int64(), events[0]);
  EXPECT_EQ(evidence[0].at("agent_id").as_string(), agent);
  EXPECT_EQ(evidence[0].at("data").at("source.ip").as_string(), "203.0.113.9");
  const json::array& comments = detail.at("comments").as_array();
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0].at("text").as_string(), "Source blocked upstream.");
  EXPECT_EQ(comments[0].at("author").as_string(), "admin");

  // Resolve, then reopen.
  auto resolved = root.patch(alert_path(id), json::object{{"status", "resolved"}});
  ASSERT_TRUE(resolved && resolved->status == 200) << (resolved ? resolved->body : "");
  auto reopened =
      root.patch(alert_path(id), json::object{{"status", "new"}, {"assignee", nullptr}});
  ASSERT_TRUE(reopened && reopened->status == 200) << (reopened ? reopened->body : "");
  EXPECT_EQ(body_of(*reopened).at("status").as_string(), "new");
  EXPECT_TRUE(body_of(*reopened).at("assignee").is_null());

  // Every change is in the audit log with old and new values.
  auto audit = root.get("/api/v1/audit?action=alert.");
  ASSERT_TRUE(audit && audit->status == 200);
  const json::value audited = body_of(*audit);
  const json::array& entries = audited.at("items").as_array();
  ASSERT_EQ(entries.size(), 4u) << audit->body;
  EXPECT_EQ(entries[0].at("action").as_string(), "alert.update");
  EXPECT_EQ(entries[0].at("actor").as_string(), "admin");
  EXPECT_EQ(entries[0].at("target").as_string(), "alert:" + std::to_string(id));
  EXPECT_EQ(entries[0].at("details").at("status").at("old").as_string(), "resolved");
  EXPECT_EQ(entries[0].at("details").at("assignee").at("old").as_string(), "admin");
  EXPECT_EQ(entries[2].at("action").as_string(), "alert.comment");
}

TEST_P(AlertsApiIntegrationTest, AViewerReadsButCannotChangeAlerts) {
  client::ApiClient root = admin();
  const std::int64_t id =
      record(make_detection("ssh-brute-force", "source.ip=203.0.113.9", "", now_));
  client::ApiClient viewer = user_with_role(root, "alert-viewer", "viewer");
  client::ApiClient analyst = user_with_role(root, "alert-analyst", "analyst");

  auto listed = viewer.get("/api/v1/alerts");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200) << listed->body;
  auto shown = viewer.get(alert_path(id));
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->status, 200) << shown->body;

  auto patched = viewer.patch(alert_path(id), json::object{{"status", "acknowledged"}});
  ASSERT_TRUE(patched);
  EXPECT_EQ(patched->status, 403) << patched->body;
  EXPECT_EQ(error_code(*patched), "permission_denied");
  auto commented = viewer.post(alert_path(id) + "/comments", json::object{{"text", "mine"}});
  ASSERT_TRUE(commented);
  EXPECT_EQ(commented->status, 403) << commented->body;

  auto by_analyst = analyst.patch(
      alert_path(id), json::object{{"status", "acknowledged"}, {"assignee", "alert-viewer"}});
  ASSERT_TRUE(by_analyst);
  EXPECT_EQ(by_analyst->status, 200) << by_analyst->body;
  EXPECT_EQ(body_of(*by_analyst).at("assignee").as_string(), "alert-viewer")
      << "any existing user may be assigned";
  auto after = viewer.get(alert_path(id));
  ASSERT_TRUE(after);
  EXPECT_EQ(body_of(*after).at("status").as_string(), "acknowledged");
  EXPECT_EQ(body_of(*after).at("comment_count").as_int64(), 0)
      << "the viewer's comment was refused";
}

TEST_P(AlertsApiIntegrationTest, BadInputIsRefusedWithTheFieldNamed) {
  client::ApiClient root = admin();
  const std::int64_t id =
      record(make_detection("ssh-brute-force", "source.ip=203.0.113.9", "", now_));
  const std::string path = alert_path(id);

  const std::vector<std::tuple<std::string, std::string, std::string>> patches = {
      {R"({"status": "acknowledged", "severity": "low"})", "severity", "unknown field"},
      {R"({"status": 3})", "status", "wrong type"},
      {R"({"status": "closed"})", "status", "unknown status"},
      {R"({"assignee": 42})", "assignee", "wrong assignee type"},
      {R"({"assignee": ""})", "assignee", "empty assignee"},
      {R"({"assignee": "nobody-by-this-name"})", "assignee", "unknown user"},
      {R"({"status": "new")", "", "malformed JSON"},
      {R"(["status"])", "", "not an object"},
      {R"({})", "", "nothing to change"},
  };
  for (const auto& [body, field, what] : patches) {
    expect_bad_request(send_raw(root, "PATCH", path, body), field, what);
  }
  const std::string comments = path + "/comments";
  const std::vector<std::tuple<std::string, std::string, std::string>> posts = {
      {R"({})", "text", "missing text"},
      {R"({"text": 5})", "text", "wrong text type"},
      {R"({"text": "  "})", "text", "blank text"},
      {R"({"text": ")" + std::string(4001, 'x') + R"("})", "text", "too long"},
      {R"({"text": "ok", "author": "eve"})", "author", "unknown field"},
  };
  for (const auto& [body, field, what] : posts) {
    expect_bad_request(send_raw(root, "POST", comments, body), field, what);
  }
  for (const auto& [query, field] :
       std::vector<std::pair<std::string, std::string>>{{"status=open", "status"},
                                                        {"status=new,", "status"},
                                                        {"severity=severe", "severity"},
                                                        {"limit=0", "limit"},
                                                        {"limit=abc", "limit"},
                                                        {"since=-5", "since"}}) {
    auto reply = root.get("/api/v1/alerts?" + query);
    ASSERT_TRUE(reply);
    expect_bad_request(*reply, field, query);
  }

  // Nothing above changed the alert.
  auto shown = root.get(path);
  ASSERT_TRUE(shown);
  EXPECT_EQ(body_of(*shown).at("status").as_string(), "new");
  EXPECT_EQ(body_of(*shown).at("comment_count").as_int64(), 0);

  // A move the lifecycle forbids is a conflict, not bad syntax.
  ASSERT_EQ(root.patch(path, json::object{{"status", "acknowledged"}})->status, 200);
  auto backwards = root.patch(path, json::object{{"status", "new"}});
  ASSERT_TRUE(backwards);
  EXPECT_EQ(backwards->status, 409) << backwards->body;
  EXPECT_EQ(backwards->api_error()->field, "status");

  for (const std::string missing : {"/api/v1/alerts/999999", "/api/v1/alerts/abc",
                                    "/api/v1/alerts/0", "/api/v1/alerts/99999999999999999999"}) {
    auto reply = root.get(missing);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 404) << missing << ": " << reply->body;
  }
  auto patch_missing = root.patch("/api/v1/alerts/999999", json::object{{"status", "resolved"}});
  ASSERT_TRUE(patch_missing);
  EXPECT_EQ(patch_missing->status, 404) << patch_missing->body;
}

SENTINEL_BOTH_BACKENDS(AlertsApiIntegrationTest);

}  // namespace
}  // namespace sentinel::test
