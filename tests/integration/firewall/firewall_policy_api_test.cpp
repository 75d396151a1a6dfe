// Firewall policies through the API of a real server (SQLite and PostgreSQL): create, edit with
// If-Match, history, diff, rollback, delete; refused documents and bodies with their messages;
// what a viewer may not do; assignments, the effective policy and the preview's nftables text
// for an enrolled agent; every change announced on the stream. No agent connects: nothing here
// touches nftables.

#include <gtest/gtest.h>

#include "client/stream_client.h"
#include "tests/integration/agents/agents_api_support.h"

namespace sentinel::test {
namespace {

namespace json = boost::json;

const json::value kPolicy = json::parse(R"({
  "objects": {"address_sets": {"admins": {"addresses": ["10.0.0.0/24"]}}},
  "chains": {
    "input": {"policy": "drop", "rules": [
      {"id": "ssh-admins", "source": "admins", "protocol": "tcp", "ports": 22, "action": "accept"}
    ]},
    "output": {"policy": "accept"}
  }
})");

const json::value kPolicyWithWeb = json::parse(R"({
  "objects": {"address_sets": {"admins": {"addresses": ["10.0.0.0/24"]}}},
  "chains": {
    "input": {"policy": "drop", "rules": [
      {"id": "ssh-admins", "source": "admins", "protocol": "tcp", "ports": 22, "action": "accept"},
      {"id": "web", "protocol": "tcp", "ports": [80, 443], "action": "accept"}
    ]},
    "output": {"policy": "accept"}
  }
})");

class FirewallPolicyApiTest : public AgentsApiTest {
 protected:
  /// Creates a policy as `api`; returns its id (0 and a failure when refused).
  std::int64_t create_policy(client::ApiClient& api, const std::string& name,
                             const json::value& document = kPolicy) {
    auto reply =
        api.post("/api/v1/firewall/policies", json::object{{"name", name}, {"document", document}});
    EXPECT_TRUE(reply);
    if (!reply) return 0;
    EXPECT_EQ(reply->status, 201) << reply->body;
    const json::value body = body_of(*reply);
    return body.is_object() && body.as_object().contains("id") ? body.at("id").as_int64() : 0;
  }

  client::HttpReply call(client::ApiClient& api, const std::string& method, const std::string& path,
                         std::optional<json::value> body = {}, client::Headers headers = {}) {
    auto reply = api.request(method, path, body, headers);
    EXPECT_TRUE(reply) << method << " " << path << ": " << reply.error().message;
    return reply ? *reply : client::HttpReply{};
  }
};

TEST_P(FirewallPolicyApiTest, APolicyIsCreatedEditedRolledBackAndDeleted) {
  client::ApiClient root = admin();
  auto created = call(root, "POST", "/api/v1/firewall/policies",
                      json::object{{"name", "web servers"},
                                   {"description", "public web"},
                                   {"comment", "first"},
                                   {"document", kPolicy}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("etag"), "\"1\"");
  const json::value policy = body_of(created);
  const std::int64_t id = policy.at("id").as_int64();
  EXPECT_EQ(policy.at("version").as_int64(), 1);
  EXPECT_EQ(policy.at("created_by").as_string(), "admin");
  EXPECT_EQ(policy.at("sha256").as_string().size(), 64u);
  EXPECT_EQ(policy.at("document").at("chains").at("input").at("policy").as_string(), "drop");
  const std::string path = "/api/v1/firewall/policies/" + std::to_string(id);

  auto listed = call(root, "GET", "/api/v1/firewall/policies");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(body_of(listed).at("total").as_int64(), 1);
  EXPECT_EQ(body_of(listed).at("items").at(0).at("name").as_string(), "web servers");

  // An edit based on version 1 makes version 2; a second one based on version 1 is stale.
  auto edited =
      call(root, "PUT", path, json::object{{"document", kPolicyWithWeb}, {"comment", "web opened"}},
           {{"If-Match", "\"1\""}});
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(body_of(edited).at("version").as_int64(), 2);
  EXPECT_EQ(edited.header("etag"), "\"2\"");
  auto stale =
      call(root, "PUT", path, json::object{{"document", kPolicy}}, {{"If-Match", "\"1\""}});
  ASSERT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(error_code(stale), "version_conflict");
  EXPECT_EQ(stale.api_error()->field, "base_version");
  auto stale_body =
      call(root, "PUT", path, json::object{{"document", kPolicy}, {"base_version", 1}});
  EXPECT_EQ(stale_body.status, 409) << stale_body.body;

  auto versions = call(root, "GET", path + "/versions");
  ASSERT_EQ(versions.status, 200) << versions.body;
  const json::value listed_versions = body_of(versions);
  const auto& items = listed_versions.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("version").as_int64(), 2);
  EXPECT_EQ(items[0].at("comment").as_string(), "web opened");
  auto first = call(root, "GET", path + "/versions/1");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(body_of(first).at("document"), body_of(created).at("document"));

  auto diff = call(root, "GET", path + "/diff");
  ASSERT_EQ(diff.status, 200) << diff.body;
  EXPECT_EQ(body_of(diff).at("from").as_int64(), 1);
  EXPECT_EQ(body_of(diff).at("to").as_int64(), 2);
  EXPECT_NE(diff.body.find("\"web\""), std::string::npos) << diff.body;
  EXPECT_NE(diff.body.find("added"), std::string::npos) << diff.body;

  auto rolled = call(root, "POST", path + "/rollback", json::object{{"version", 1}});
  ASSERT_EQ(rolled.status, 201) << rolled.body;
  EXPECT_EQ(body_of(rolled).at("version").as_int64(), 3);
  EXPECT_EQ(body_of(rolled).at("sha256"), policy.at("sha256"));
  EXPECT_EQ(body_of(rolled).at("comment").as_string(), "rollback to version 1");

  auto removed = call(root, "DELETE", path);
  EXPECT_EQ(removed.status, 204) << removed.body;
  EXPECT_EQ(call(root, "GET", path).status, 404);
  EXPECT_EQ(call(root, "GET", "/api/v1/firewall/policies/abc").status, 404);

  auto audit = call(root, "GET", "/api/v1/audit?action=firewall.");
  ASSERT_EQ(audit.status, 200);
  for (const char* action : {"firewall.policy.create", "firewall.policy.update",
                             "firewall.policy.rollback", "firewall.policy.delete"}) {
    EXPECT_NE(audit.body.find(action), std::string::npos) << action << " in " << audit.body;
  }
  EXPECT_NE(audit.body.find("firewall_policy:" + std::to_string(id)), std::string::npos);
}

TEST_P(FirewallPolicyApiTest, EveryPolicyChangeReachesAReadersStreamLive) {
  client::ApiClient root = admin();
  create_user(root, "fw-watcher", "Watcher-Password-5521", "viewer");
  client::ApiClient viewer = anonymous();
  ASSERT_EQ(login(viewer, "fw-watcher", "Watcher-Password-5521").status, 200);
  auto stream = client::StreamClient::connect(viewer);
  ASSERT_TRUE(stream) << stream.error().message;

  const std::int64_t id = create_policy(root, "announced");
  ASSERT_GT(id, 0);
  const std::string path = "/api/v1/firewall/policies/" + std::to_string(id);
  ASSERT_EQ(call(root, "PUT", path, json::object{{"document", kPolicyWithWeb}}).status, 200);
  ASSERT_EQ(call(root, "POST", path + "/rollback", json::object{{"version", 1}}).status, 201);
  ASSERT_EQ(
      call(root, "PUT", path + "/assignments", json::object{{"assignments", json::array{}}}).status,
      200);
  ASSERT_EQ(call(root, "DELETE", path).status, 204);

  const std::vector<std::pair<std::string, json::value>> expected = {{"policy.create", 1},
                                                                     {"policy.update", 2},
                                                                     {"policy.rollback", 3},
                                                                     {"assignments.set", nullptr},
                                                                     {"policy.delete", nullptr}};
  std::vector<json::object> seen;
  while (seen.size() < expected.size()) {
    auto message = stream->next_message(std::chrono::seconds(5));
    ASSERT_TRUE(message) << "after " << seen.size()
                         << " firewall messages: " << message.error().message;
    json::object parsed = json::parse(*message).as_object();
    if (parsed.at("type").as_string() == "firewall") seen.push_back(std::move(parsed));
  }
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(seen[i].at("action").as_string(), expected[i].first) << seen[i];
    EXPECT_EQ(seen[i].at("policy_id").as_int64(), id) << seen[i];
    EXPECT_EQ(seen[i].at("version"), expected[i].second) << seen[i];
  }
}

TEST_P(FirewallPolicyApiTest, RefusedDocumentsAndBodiesSayWhatIsWrong) {
  client::ApiClient root = admin();
  const json::value bad = json::parse(R"({"chains": {"input": {"policy": "drop", "rules": [
    {"id": "ssh", "source": "nosuch", "protocol": "tcp", "ports": 22, "action": "accept"},
    {"id": "web", "protocol": "tcp", "ports": 70000, "action": "accept"}
  ]}}})");
  auto refused = call(root, "POST", "/api/v1/firewall/policies",
                      json::object{{"name", "broken"}, {"document", bad}});
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(error_code(refused), "invalid_policy");
  EXPECT_EQ(refused.api_error()->field, "document");
  EXPECT_NE(refused.api_error()->message.find("70000"), std::string::npos) << refused.body;
  const json::value refusal = body_of(refused);
  const auto& problems = refusal.at("problems").as_array();
  ASSERT_EQ(problems.size(), 2u) << refused.body;
  std::set<std::string> paths;
  for (const auto& problem : problems) {
    EXPECT_EQ(problem.at("severity").as_string(), "error");
    paths.insert(std::string(problem.at("path").as_string()));
  }
  EXPECT_TRUE(std::any_of(paths.begin(), paths.end(), [](const std::string& p) {
    return p.starts_with("chains.input.rules[1].ports");
  })) << refused.body;
  EXPECT_TRUE(std::any_of(paths.begin(), paths.end(), [](const std::string& p) {
    return p.starts_with("chains.input.rules[0].source");
  })) << refused.body;
  EXPECT_EQ(body_of(call(root, "GET", "/api/v1/firewall/policies")).at("total").as_int64(), 0);

  auto unknown = call(root, "POST", "/api/v1/firewall/policies",
                      json::object{{"name", "x"}, {"document", kPolicy}, {"owner", "me"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.api_error()->field, "owner");
  auto missing = call(root, "POST", "/api/v1/firewall/policies", json::object{{"name", "x"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.api_error()->field, "document");
  // Validate lists every problem with its rule, and refuses nothing by itself.
  const json::value shadowed = json::parse(R"({"chains": {"input": {"policy": "drop", "rules": [
    {"id": "all-ssh", "protocol": "tcp", "ports": 22, "action": "accept"},
    {"id": "lab-ssh", "source": "10.9.0.0/16", "protocol": "tcp", "ports": 22, "action": "drop"}
  ]}}})");
  auto validated =
      call(root, "POST", "/api/v1/firewall/validate", json::object{{"document", shadowed}});
  ASSERT_EQ(validated.status, 200) << validated.body;
  const json::value verdict = body_of(validated);
  EXPECT_FALSE(verdict.at("valid").as_bool());
  EXPECT_EQ(verdict.at("errors").as_int64(), 1);
  const auto& problem = verdict.at("problems").at(0);
  EXPECT_EQ(problem.at("code").as_string(), "shadowed");
  EXPECT_EQ(problem.at("rule_id").as_string(), "lab-ssh");
  EXPECT_EQ(problem.at("rule_index").as_int64(), 1);
  EXPECT_EQ(problem.at("path").as_string(), "chains.input.rules[1]");
  auto no_agent = call(root, "POST", "/api/v1/firewall/validate",
                       json::object{{"document", kPolicy}, {"agent_id", "agt_nosuchagent"}});
  EXPECT_EQ(no_agent.status, 400);
  EXPECT_EQ(no_agent.api_error()->field, "agent_id");
}

TEST_P(FirewallPolicyApiTest, AViewerReadsButCannotChangeAnything) {
  client::ApiClient root = admin();
  const std::int64_t id = create_policy(root, "web");
  ASSERT_GT(id, 0);
  create_user(root, "fw-viewer", "Viewer-Password-8841", "viewer");
  client::ApiClient viewer = anonymous();
  ASSERT_EQ(login(viewer, "fw-viewer", "Viewer-Password-8841").status, 200);
  const std::string path = "/api/v1/firewall/policies/" + std::to_string(id);

  for (const std::string& read :
       {std::string("/api/v1/firewall/policies"), path, path + "/versions", path + "/assignments",
        std::string("/api/v1/firewall/status")}) {
    EXPECT_EQ(call(viewer, "GET", read).status, 200) << read;
  }
  const std::vector<std::tuple<std::string, std::string, json::value>> writes = {
      {"POST", "/api/v1/firewall/policies", json::object{{"name", "v"}, {"document", kPolicy}}},
      {"PUT", path, json::object{{"document", kPolicyWithWeb}}},
      {"POST", path + "/rollback", json::object{{"version", 1}}},
      {"PUT", path + "/assignments", json::object{{"assignments", json::array{}}}},
      {"POST", "/api/v1/firewall/validate", json::object{{"document", kPolicy}}},
      {"POST", "/api/v1/firewall/apply", json::object{}}};
  for (const auto& [method, target, body] : writes) {
    auto reply = call(viewer, method, target, body);
    EXPECT_EQ(reply.status, 403) << method << " " << target << ": " << reply.body;
    EXPECT_EQ(error_code(reply), "permission_denied");
  }
  EXPECT_EQ(call(viewer, "DELETE", path).status, 403);
  // Nothing changed.
  auto after = call(root, "GET", path);
  EXPECT_EQ(body_of(after).at("version").as_int64(), 1);
}

TEST_P(FirewallPolicyApiTest, ThePreviewShowsTheNftablesTextOfTheAgentsPolicy) {
  client::ApiClient root = admin();
  const std::string agent_id = enrolled_agent(root, "web-1", json::object{{"group", "web"}});
  ASSERT_FALSE(agent_id.empty());
  const std::int64_t id = create_policy(root, "web");
  ASSERT_GT(id, 0);
  const std::string path = "/api/v1/firewall/policies/" + std::to_string(id);

  auto assigned = call(
      root, "PUT", path + "/assignments",
      json::object{{"assignments", json::array{json::object{{"group", "web"}, {"priority", 5}}}}});
  ASSERT_EQ(assigned.status, 200) << assigned.body;
  EXPECT_EQ(body_of(assigned).at("items").at(0).at("group").as_string(), "web");
  auto bad_assignment =
      call(root, "PUT", path + "/assignments",
           json::object{{"assignments", json::array{json::object{{"agent_id", "agt_nosuch"}}}}});
  EXPECT_EQ(bad_assignment.status, 400);
  EXPECT_EQ(bad_assignment.api_error()->field, "assignments[0].agent_id");

  auto effective = call(root, "GET", "/api/v1/firewall/agents/" + agent_id + "/effective");
  ASSERT_EQ(effective.status, 200) << effective.body;
  EXPECT_EQ(body_of(effective).at("policy").at("id").as_int64(), id);
  EXPECT_EQ(body_of(effective).at("assignment").at("priority").as_int64(), 5);

  auto preview = call(root, "GET", path + "/preview?agent=" + agent_id);
  ASSERT_EQ(preview.status, 200) << preview.body;
  const json::value shown = body_of(preview);
  EXPECT_EQ(shown.at("agent_id").as_string(), agent_id);
  EXPECT_EQ(shown.at("version").as_int64(), 1);
  const std::string nft(shown.at("nft").as_string());
  EXPECT_TRUE(nft.starts_with("table inet sentinel {}")) << nft;
  EXPECT_NE(nft.find("delete table inet sentinel"), std::string::npos) << nft;
  EXPECT_NE(nft.find("hook input priority filter; policy drop;"), std::string::npos) << nft;
  EXPECT_NE(nft.find("ct state established,related accept"), std::string::npos) << nft;
  EXPECT_NE(nft.find("tcp dport 22 accept comment \"ssh-admins\""), std::string::npos) << nft;
  EXPECT_EQ(call(root, "GET", path + "/preview?agent=agt_nosuch").status, 400);

  // The agent is not connected: an apply says so and sends nothing.
  auto applied = call(root, "POST", "/api/v1/firewall/apply", json::object{{"policy_id", id}});
  ASSERT_EQ(applied.status, 200) << applied.body;
  const json::value outcome = body_of(applied);
  const auto& results = outcome.at("results").as_array();
  ASSERT_EQ(results.size(), 1u) << applied.body;
  EXPECT_EQ(results[0].at("agent_id").as_string(), agent_id);
  EXPECT_EQ(results[0].at("outcome").as_string(), "offline");
  auto status = call(root, "GET", "/api/v1/firewall/status");
  ASSERT_EQ(status.status, 200) << status.body;
  EXPECT_TRUE(body_of(status).at("items").as_array().empty()) << "nothing was applied";
}

SENTINEL_BOTH_BACKENDS(FirewallPolicyApiTest);

}  // namespace
}  // namespace sentinel::test
