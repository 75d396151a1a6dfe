// Enrolment tokens: one use, expiry, revocation, the pin, placement, and what a hostile caller of
// the public enrolment gets.

#include <openssl/x509.h>

#include <atomic>
#include <thread>

#include "sentinel/agents/enrollment_token.h"
#include "sentinel/common/crypto.h"
#include "sentinel/common/openssl.h"
#include "tests/unit/agents/agents_test_fixture.h"

namespace sentinel::agents {
namespace {

using EnrollmentTest = AgentsTest;

constexpr std::int64_t kMinuteMs = 60'000;

// The pin computed here independently: SHA-256 of the DER SubjectPublicKeyInfo.
std::string expected_pin(const std::string& cert_file) {
  auto pem = ssl::read_pem_file(cert_file);
  auto cert = ssl::parse_certificate(*pem);
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(X509_get0_pubkey(cert->get()), &der);
  std::string pin = crypto::sha256_hex(std::string(reinterpret_cast<char*>(der), length));
  OPENSSL_free(der);
  return pin;
}

TEST_P(EnrollmentTest, TokenPinsTheGatewayKeyAndComesWithTheCommandLine) {
  const CreatedEnrollmentToken created = new_token();
  const auto parts = parse_enrollment_token(created.token.reveal());
  ASSERT_TRUE(parts) << created.token.reveal();
  EXPECT_EQ(parts->pin, expected_pin(gateway_certificate_));
  EXPECT_EQ(created.command,
            "sentinel-agent --server https://sentinel.example:8443 --enroll-token " +
                created.token.reveal() + " --data-dir /var/lib/sentinel-agent");
  EXPECT_EQ(created.view.expires_at_ms, clock_.now_ms() + 60 * kMinuteMs);
  EXPECT_EQ(created.view.state, EnrollmentTokenState::kUnused);
}

TEST_P(EnrollmentTest, OnlyTheHashOfATokenIsStored) {
  const CreatedEnrollmentToken created = new_token();
  auto rows = db_->query("SELECT token_hash FROM enrollment_tokens");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().text(0), crypto::sha256_hex(created.token.reveal()));
  auto everything = db_->query("SELECT * FROM enrollment_tokens");
  for (std::size_t i = 0; i < everything->front().size(); ++i) {
    EXPECT_EQ(
        everything->front().text(i).find(parse_enrollment_token(created.token.reveal())->secret),
        std::string::npos);
  }
}

TEST_P(EnrollmentTest, ATokenWorksOnceAndTheAgentGetsACertificateOfTheCa) {
  const CreatedEnrollmentToken created = new_token();
  auto grant = enroll(created.token);
  ASSERT_TRUE(grant) << grant.error().message;
  EXPECT_EQ(grant->agent_id.rfind("agt_", 0), 0u);
  EXPECT_EQ(grant->agent_id.size(), 30u);
  EXPECT_EQ(grant->ca_certificate_pem, ca_->ca_certificate_pem());
  EXPECT_EQ(grant->channel_port, 8444);
  EXPECT_EQ(grant->heartbeat_s, 15);
  EXPECT_TRUE(grant->channel_url.empty());
  EXPECT_EQ(
      test::verify(grant->certificate_pem, grant->ca_certificate_pem, X509_PURPOSE_SSL_CLIENT),
      "ok");
  EXPECT_TRUE(registry_->certificate_allowed(grant->agent_id, serial_of(grant->agent_id)));

  auto again = enroll(created.token, "web-2");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(again.error().client_code(), "invalid_token");

  auto tokens = enrollment_->list_tokens();
  ASSERT_TRUE(tokens);
  ASSERT_EQ(tokens->size(), 1u);
  EXPECT_EQ(tokens->front().state, EnrollmentTokenState::kUsed);
  EXPECT_EQ(tokens->front().used_by_agent, grant->agent_id);
  auto listed = registry_->list({});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->total, 1);
}

TEST_P(EnrollmentTest, UnknownUsedExpiredAndRevokedTokensGetTheSameAnswer) {
  const CreatedEnrollmentToken used = new_token();
  ASSERT_TRUE(enroll(used.token));
  EnrollmentTokenSpec short_lived;
  short_lived.expires_in_minutes = 5;
  const CreatedEnrollmentToken expiring = new_token(short_lived);
  const CreatedEnrollmentToken revoked = new_token();
  ASSERT_TRUE(enrollment_->revoke_token(admin_, revoked.view.id, client_));
  clock_.advance_ms(5 * kMinuteMs);

  const Secret unknown(format_enrollment_token(crypto::random_token(32), std::string(64, 'a')));
  std::vector<std::string> messages;
  int source = 0;  // one address each, so that the failure throttle stays out of it
  for (const Secret& token :
       {used.token, expiring.token, revoked.token, unknown, Secret("se1.garbage"), Secret("")}) {
    auto refused = enroll(token, "web-x", "192.0.2." + std::to_string(100 + source++));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(refused.error().client_code(), "invalid_token");
    messages.push_back(refused.error().message);
  }
  EXPECT_TRUE(std::all_of(messages.begin(), messages.end(),
                          [&](const std::string& m) { return m == messages.front(); }));

  auto tokens = enrollment_->list_tokens();
  ASSERT_TRUE(tokens);
  std::map<std::int64_t, EnrollmentTokenState> states;
  for (const auto& token : *tokens) states[token.id] = token.state;
  EXPECT_EQ(states[used.view.id], EnrollmentTokenState::kUsed);
  EXPECT_EQ(states[expiring.view.id], EnrollmentTokenState::kExpired);
  EXPECT_EQ(states[revoked.view.id], EnrollmentTokenState::kRevoked);
}

TEST_P(EnrollmentTest, ATokenIsUsableUntilTheMomentItExpires) {
  EnrollmentTokenSpec spec;
  spec.expires_in_minutes = 10;
  const CreatedEnrollmentToken created = new_token(spec);
  clock_.advance_ms(10 * kMinuteMs - 1);
  EXPECT_TRUE(enroll(created.token));
}

TEST_P(EnrollmentTest, ABadRequestLeavesTheTokenUnused) {
  const CreatedEnrollmentToken created = new_token();
  EnrollmentRequest garbage{created.token, "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n", {"h"}};
  auto refused = enrollment_->enroll(garbage, client_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused.error().field, "csr");

  auto weak = test::make_key("rsa1024");
  EnrollmentRequest weak_key{created.token, test::make_csr(weak.get(), "h"), {"h"}};
  EXPECT_EQ(enrollment_->enroll(weak_key, client_).error().field, "csr");

  auto key = test::make_key("P-256");
  EnrollmentRequest bad_host{created.token, test::make_csr(key.get(), "h"), {"has space"}};
  EXPECT_EQ(enrollment_->enroll(bad_host, client_).error().field, "hostname");

  EXPECT_TRUE(enroll(created.token)) << "the token must still work";
  auto listed = registry_->list({});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->total, 1) << "failed attempts left no agents behind";
}

TEST_P(EnrollmentTest, RacingEnrolmentsWithOneTokenCreateOneAgent) {
  // A second server process: its own database connections, registry and enrolment service, so
  // that only the database's atomic token use can keep both from succeeding.
  auto other_db = open_database();
  ASSERT_TRUE(other_db);
  auto other_registry =
      AgentRegistry::create(*other_db, *audit_, *bus_, *ca_, clock_, RegistryOptions{});
  ASSERT_TRUE(other_registry);
  EnrollmentOptions options;
  options.gateway_certificate_file = gateway_certificate_;
  auto other = EnrollmentService::create(*other_db, **other_registry, *ca_, *audit_, metrics_,
                                         clock_, options);

  const CreatedEnrollmentToken created = new_token();
  std::atomic<int> succeeded = 0;
  std::atomic<int> refused = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      auto key = test::make_key("P-256");
      const std::string host = "racer-" + std::to_string(i);
      EnrollmentRequest request{created.token, test::make_csr(key.get(), host), {host}};
      auto grant = (i % 2 == 0 ? *enrollment_ : *other).enroll(request, client_);
      if (grant) {
        ++succeeded;
      } else if (grant.error().client_code() == "invalid_token") {
        ++refused;
      } else {
        ADD_FAILURE() << grant.error().message;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(succeeded.load(), 1);
  EXPECT_EQ(refused.load(), 5);
  EXPECT_EQ(registry_->list({})->total, 1);
}

TEST_P(EnrollmentTest, GroupAndLabelsOfTheTokenPlaceTheAgent) {
  EnrollmentTokenSpec spec;
  spec.group = "web";
  spec.labels = {{"env", "prod"}, {"dc", "fra-1"}};
  auto grant = enroll(new_token(spec).token);
  ASSERT_TRUE(grant);
  auto agent = registry_->get(grant->agent_id);
  ASSERT_TRUE(agent);
  EXPECT_EQ(agent->group, "web");
  EXPECT_EQ(agent->labels, spec.labels);
  EXPECT_EQ(agent->facts.hostname, "web-1");
  EXPECT_EQ(agent->facts.os, "Debian GNU/Linux 12");
  EXPECT_EQ(agent->status, AgentStatus::kOffline);
}

TEST_P(EnrollmentTest, TokenRulesAreChecked) {
  const auto refused = [&](EnrollmentTokenSpec spec) {
    auto created = enrollment_->create_token(admin_, spec, client_);
    return created ? std::string("accepted") : created.error().field;
  };
  EnrollmentTokenSpec spec;
  spec.labels = {{"Env", "x"}};
  EXPECT_EQ(refused(spec), "labels");
  spec.labels = {{"env", std::string(256, 'x')}};
  EXPECT_EQ(refused(spec), "labels");
  spec.labels = {{"env", std::string(255, 'x')}};
  EXPECT_EQ(refused(spec), "accepted");
  spec.labels.clear();
  for (int i = 0; i < 33; ++i) spec.labels["k" + std::to_string(i)] = "v";
  EXPECT_EQ(refused(spec), "labels");
  spec.labels.clear();
  spec.group = "no spaces allowed";
  EXPECT_EQ(refused(spec), "group");
  spec.group = "";
  spec.expires_in_minutes = 0;
  EXPECT_EQ(refused(spec), "expires_in_minutes");
  spec.expires_in_minutes = 10081;
  EXPECT_EQ(refused(spec), "expires_in_minutes");
  spec.expires_in_minutes = 10080;
  EXPECT_EQ(refused(spec), "accepted");
}

TEST_P(EnrollmentTest, RevokingAUsedTokenIsAConflict) {
  const CreatedEnrollmentToken created = new_token();
  ASSERT_TRUE(enroll(created.token));
  auto revoked = enrollment_->revoke_token(admin_, created.view.id, client_);
  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.error().code, ErrorCode::kConflict);
  EXPECT_EQ(enrollment_->revoke_token(admin_, 999999, client_).error().code, ErrorCode::kNotFound);
}

TEST_P(EnrollmentTest, TokenLifeIsAudited) {
  const CreatedEnrollmentToken created = new_token();
  auto grant = enroll(created.token);
  ASSERT_TRUE(grant);
  ASSERT_TRUE(enrollment_->revoke_token(admin_, new_token().view.id, client_));
  auto entries = audit_->list({});
  ASSERT_TRUE(entries);
  std::vector<std::string> actions;
  for (const auto& entry : *entries) actions.push_back(entry.record.action);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "agent.enroll_token.create"), 2);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "agent.enroll_token.revoke"), 1);
  ASSERT_EQ(std::count(actions.begin(), actions.end(), "agent.enroll"), 1);
  for (const auto& entry : *entries) {
    if (entry.record.action != "agent.enroll") continue;
    EXPECT_EQ(entry.record.target, "agent:" + grant->agent_id);
    EXPECT_EQ(entry.record.actor, "enroll_token:" + std::to_string(created.view.id));
    EXPECT_EQ(entry.record.source_address, "192.0.2.50");
  }
  for (const auto& entry : *entries) {
    EXPECT_EQ(entry.record.details_json.find(created.token.reveal()), std::string::npos);
  }
}

TEST_P(EnrollmentTest, ASourceThatKeepsFailingIsTurnedAwayForAMinute) {
  const CreatedEnrollmentToken created = new_token();
  const Secret wrong(format_enrollment_token(crypto::random_token(32), std::string(64, 'b')));
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(enroll(wrong, "h", "198.51.100.9").error().code, ErrorCode::kUnauthenticated);
  }
  EXPECT_EQ(enroll(created.token, "h", "198.51.100.9").error().code, ErrorCode::kRateLimited);
  EXPECT_TRUE(enroll(new_token().token, "h", "198.51.100.10")) << "other sources are unaffected";
  clock_.advance_ms(kMinuteMs);
  EXPECT_TRUE(enroll(created.token, "h", "198.51.100.9"));
}

INSTANTIATE_TEST_SUITE_P(Backends, EnrollmentTest, ::testing::ValuesIn(sentinel::test::kBackends),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::agents
