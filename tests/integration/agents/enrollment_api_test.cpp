// Enrolment and the agent registry through the real server, on SQLite and PostgreSQL: what an
// admin, a viewer, an agent and an attacker each see.

#include <algorithm>

#include "tests/integration/agents/agents_api_support.h"

namespace sentinel::test {
namespace {

using boost::json::object;

constexpr const char* kViewerPassword = "Copper-Lantern-Moss-5817";

std::string text_of(const boost::json::value& value, std::string_view key) {
  const auto* field = value.is_object() ? value.as_object().if_contains(key) : nullptr;
  return field != nullptr && field->is_string() ? std::string(field->as_string()) : std::string();
}

class EnrollmentApiTest : public AgentsApiTest {};

TEST_P(EnrollmentApiTest, AnEnrolledAgentGetsACertificateOfTheReturnedCa) {
  client::ApiClient root = admin();
  const object token = create_token(
      root, {{"group", "web"}, {"labels", object{{"env", "prod"}}}, {"expires_in_minutes", 30}});
  const std::string text = text_of(token, "token");
  ASSERT_EQ(text.rfind("se1.", 0), 0u) << text;
  EXPECT_EQ(text_of(token, "command"), "sentinel-agent --server " + server_->url() +
                                           " --enroll-token " + text +
                                           " --data-dir /var/lib/sentinel-agent");
  EXPECT_EQ(text_of(token, "group"), "web");

  // The pin is the SHA-256 of the gateway certificate's public key, as openssl computes it.
  auto pin = run_command({"sh", "-c",
                          "openssl x509 -in '" + server_->ca_file() +
                              "' -noout -pubkey | openssl pkey -pubin -outform DER | "
                              "sha256sum | cut -d' ' -f1"});
  ASSERT_TRUE(pin && pin->exit_code == 0);
  EXPECT_EQ(text.substr(text.rfind('.') + 1) + "\n", pin->out);

  const client::HttpReply enrolled = enroll(text, "web-1");
  ASSERT_EQ(enrolled.status, 201) << enrolled.body;
  EXPECT_EQ(enrolled.header("cache-control"), "no-store");
  const auto grant = body_of(enrolled);
  const std::string agent_id = text_of(grant, "agent_id");
  EXPECT_EQ(agent_id.rfind("agt_", 0), 0u);
  EXPECT_GT(grant.at("channel_port").as_int64(), 0);
  EXPECT_EQ(grant.at("heartbeat_s").as_int64(), 15);
  EXPECT_FALSE(grant.as_object().contains("channel_url"));
  EXPECT_NE(
      verify_client_certificate(text_of(grant, "certificate"), text_of(grant, "ca_certificate"))
          .find(": OK"),
      std::string::npos);

  auto shown = root.get("/api/v1/agents/" + agent_id);
  ASSERT_TRUE(shown);
  ASSERT_EQ(shown->status, 200) << shown->body;
  const auto agent = body_of(*shown);
  EXPECT_EQ(text_of(agent, "hostname"), "web-1");
  EXPECT_EQ(text_of(agent, "os"), "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(text_of(agent, "group"), "web");
  EXPECT_EQ(agent.at("labels"), (boost::json::value(object{{"env", "prod"}})));
  EXPECT_EQ(text_of(agent, "status"), "offline");
  EXPECT_EQ(text_of(agent, "enrolled_at").back(), 'Z');
  EXPECT_TRUE(agent.at("last_seen").is_null());

  // The serial the API shows is the certificate's, as openssl reads it.
  const std::string cert_file = write("issued.crt", text_of(grant, "certificate"));
  auto serial = run_command({"openssl", "x509", "-in", cert_file, "-noout", "-serial"});
  ASSERT_TRUE(serial);
  std::string expected = serial->out.substr(serial->out.find('=') + 1);
  expected.erase(expected.find_last_not_of("\n") + 1);
  std::transform(expected.begin(), expected.end(), expected.begin(), ::tolower);
  expected.erase(0, expected.find_first_not_of('0'));
  EXPECT_EQ(text_of(agent.at("certificate"), "serial"), expected);

  const client::HttpReply second = enroll(text, "web-2");
  EXPECT_EQ(second.status, 401) << second.body;
  EXPECT_EQ(error_code(second), "invalid_token");
}

TEST_P(EnrollmentApiTest, AMalformedRequestIs400AndTheTokenStillWorks) {
  client::ApiClient root = admin();
  const std::string token = text_of(create_token(root), "token");
  client::ApiClient nobody = anonymous();
  auto garbage = nobody.post("/api/v1/agents/enroll",
                             object{{"token", token}, {"csr", "not a csr"}, {"hostname", "h"}});
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 400) << garbage->body;
  EXPECT_EQ(garbage->api_error()->field, "csr");
  auto unknown_field = nobody.post(
      "/api/v1/agents/enroll",
      object{{"token", token}, {"csr", make_csr("h")}, {"hostname", "h"}, {"group", "admin"}});
  EXPECT_EQ(unknown_field->status, 400) << unknown_field->body;

  const client::HttpReply enrolled = enroll(token);
  EXPECT_EQ(enrolled.status, 201) << enrolled.body;
  auto unknown =
      nobody.post("/api/v1/agents/enroll",
                  object{{"token", "se1.nonsense"}, {"csr", make_csr("x")}, {"hostname", "x"}});
  EXPECT_EQ(unknown->status, 401);
  EXPECT_EQ(error_code(*unknown), "invalid_token");
}

TEST_P(EnrollmentApiTest, AViewerCanListAgentsButNotCreateTokens) {
  client::ApiClient root = admin();
  const std::string agent_id = enrolled_agent(root, "db-1");
  create_user(root, "vera", kViewerPassword, "viewer");
  client::ApiClient viewer = anonymous();
  ASSERT_EQ(login(viewer, "vera", kViewerPassword).status, 200);

  auto refused = viewer.post("/api/v1/agents/enroll-tokens", object{});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(error_code(*refused), "permission_denied");
  auto revoke = viewer.post("/api/v1/agents/" + agent_id + "/revoke", object{});
  EXPECT_EQ(revoke->status, 403);

  auto listed = viewer.get("/api/v1/agents");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->status, 200) << listed->body;
  const auto page = body_of(*listed);
  EXPECT_EQ(page.at("total").as_int64(), 1);
  EXPECT_EQ(text_of(page.at("items").at(0), "id"), agent_id);
  auto tokens = viewer.get("/api/v1/agents/enroll-tokens");
  ASSERT_EQ(tokens->status, 200);
  const auto items = body_of(*tokens).at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(text_of(items.at(0), "state"), "used");
  EXPECT_EQ(text_of(items.at(0), "agent_id"), agent_id);
  EXPECT_FALSE(items.at(0).as_object().contains("token"));
}

TEST_P(EnrollmentApiTest, RevokedAgentShowsAsRevokedAndTheRevocationIsAudited) {
  client::ApiClient root = admin();
  const std::string agent_id = enrolled_agent(root, "app-1");
  auto revoked = root.post("/api/v1/agents/" + agent_id + "/revoke", object{});
  ASSERT_TRUE(revoked);
  ASSERT_EQ(revoked->status, 200) << revoked->body;
  EXPECT_EQ(text_of(body_of(*revoked), "status"), "revoked");
  EXPECT_EQ(text_of(body_of(*root.get("/api/v1/agents/" + agent_id)), "status"), "revoked");
  auto only_revoked = root.get("/api/v1/agents?status=revoked");
  EXPECT_EQ(body_of(*only_revoked).at("total").as_int64(), 1);

  auto audit = root.get("/api/v1/audit?action=agent.revoke");
  ASSERT_TRUE(audit);
  const auto entries = body_of(*audit).at("items").as_array();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(text_of(entries.at(0), "target"), "agent:" + agent_id);
  EXPECT_EQ(text_of(entries.at(0), "actor"), "admin");
  auto enrolment = root.get("/api/v1/audit?action=agent.enroll");
  EXPECT_GE(body_of(*enrolment).at("items").as_array().size(), 1u);
}

TEST_P(EnrollmentApiTest, DeletedAgentIsGoneAndLabelsCanBeChanged) {
  client::ApiClient root = admin();
  const std::string agent_id = enrolled_agent(root, "cache-1", {{"labels", object{{"a", "1"}}}});
  auto patched =
      root.patch("/api/v1/agents/" + agent_id,
                 object{{"group", "cache"}, {"labels", object{{"a", nullptr}, {"b", "2"}}}});
  ASSERT_TRUE(patched);
  ASSERT_EQ(patched->status, 200) << patched->body;
  EXPECT_EQ(body_of(*patched).at("labels"), (boost::json::value(object{{"b", "2"}})));
  auto by_label = root.get("/api/v1/agents?label=b%3D2&group=cache");
  EXPECT_EQ(body_of(*by_label).at("total").as_int64(), 1);
  auto bad_label = root.patch("/api/v1/agents/" + agent_id, object{{"labels", object{{"B", "x"}}}});
  EXPECT_EQ(bad_label->status, 400);

  auto deleted = root.del("/api/v1/agents/" + agent_id);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 204) << deleted->body;
  auto gone = root.get("/api/v1/agents/" + agent_id);
  EXPECT_EQ(gone->status, 404);
  EXPECT_EQ(root.del("/api/v1/agents/" + agent_id)->status, 404);
  EXPECT_EQ(body_of(*root.get("/api/v1/agents")).at("total").as_int64(), 0);
}

TEST_P(EnrollmentApiTest, AnUnusedTokenCanBeRevoked) {
  client::ApiClient root = admin();
  const object token = create_token(root);
  const std::int64_t id = token.at("id").as_int64();
  auto revoked = root.del("/api/v1/agents/enroll-tokens/" + std::to_string(id));
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->status, 204) << revoked->body;
  EXPECT_EQ(enroll(text_of(token, "token")).status, 401);
  EXPECT_EQ(root.del("/api/v1/agents/enroll-tokens/424242")->status, 404);
}

SENTINEL_BOTH_BACKENDS(EnrollmentApiTest);

}  // namespace
}  // namespace sentinel::test
