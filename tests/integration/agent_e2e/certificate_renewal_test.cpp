// An agent renews its own certificate before it expires, with no operator: with one-minute
// certificates the agent replaces its key and certificate on disk again and again during one
// connection, the server shows and audits each renewal, and once every certificate the agent held
// before has expired it still answers, and started again it connects with the renewed one.

#include <sys/stat.h>

#include <algorithm>
#include <optional>
#include <set>

#include "sentinel/common/openssl.h"
#include "tests/integration/agent_e2e/agent_fixture.h"

namespace sentinel::test {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// What the agent holds in DATA_DIR/identity/agent.pem: its private key, then its certificate.
struct HeldCertificate {
  std::string serial;  // lower-case hex without padding, as the server shows serials
  std::int64_t not_after_ms = 0;
  std::string key_pem;
  mode_t mode = 0;
};

/// The agent's current key and certificate; nothing before enrolment.
std::optional<HeldCertificate> held_certificate(const AgentProcess& agent) {
  const std::string file = agent.data_dir() + "/identity/agent.pem";
  auto pem = ssl::read_pem_file(file);
  if (!pem) return std::nullopt;
  auto certificate = ssl::parse_certificate(*pem);
  const auto key_end = pem->find("-----BEGIN CERTIFICATE-----");
  struct stat status {};
  if (!certificate || key_end == std::string::npos || ::stat(file.c_str(), &status) != 0) {
    return std::nullopt;
  }
  return HeldCertificate{ssl::serial_hex(certificate->get()),
                         ssl::time_ms(X509_get0_notAfter(certificate->get())),
                         pem->substr(0, key_end), status.st_mode & 07777};
}

class CertificateRenewalTest : public AgentTest {
 protected:
  // One-minute certificates, the shortest the server allows; the agent looks at its certificate
  // with every heartbeat, so a heartbeat a second makes the renewals punctual.
  void SetUp() override {
    start_server(
        {"--set", "agents.certificate_lifetime_minutes=1", "--set", "agents.heartbeat_s=1"});
  }

  /// Waits until the agent holds a certificate whose serial is not in `seen`.
  HeldCertificate next_certificate(AgentProcess& agent, const std::set<std::string>& seen) {
    HeldCertificate found;
    eventually([&] {
      auto held = held_certificate(agent);
      if (!held || seen.count(held->serial) != 0) return false;
      found = std::move(*held);
      return true;
    });
    return found;
  }

  /// True when the agent answers a command, i.e. it has a live channel session.
  bool answers_ping(client::ApiClient& admin, const std::string& id) {
    auto ping =
        admin.post("/api/v1/agents/" + id + "/commands", boost::json::object{{"name", "ping"}});
    if (!ping || ping->status != 200) return false;
    auto json = ping->json();
    return json && json->is_object() && json->as_object().contains("ok") &&
           json->at("ok").as_bool();
  }
};

TEST_P(CertificateRenewalTest, AgentRenewsBeforeExpiryAndReconnectsWithTheRenewedCertificate) {
  auto admin = this->admin();
  AgentProcess& agent = start_agent(admin);
  const std::string id = enrolled_id(agent);
  ASSERT_FALSE(id.empty());

  // The enrolment certificate as the server issued it: the agent may have renewed it already.
  auto db = database();
  ASSERT_TRUE(db);
  auto rows = db->query(
      "SELECT serial, not_after FROM agent_certificates WHERE agent_id = $1 ORDER BY issued_at",
      {id});
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_FALSE(rows->empty());
  const std::string enrolment_serial = rows->front().text(0);
  const std::int64_t enrolment_not_after = rows->front().integer(1);

  // The certificate is backdated by the CA, so a one-minute one is due for renewal at once; the
  // agent replaces it without anyone asking.
  const HeldCertificate first = next_certificate(agent, {enrolment_serial});
  ASSERT_FALSE(first.serial.empty());
  EXPECT_GE(first.not_after_ms, enrolment_not_after);

  // Two thirds into the renewed certificate's life, in the same connection, the agent renews
  // again, with a new key, before the certificate it holds expires.
  const HeldCertificate second = next_certificate(agent, {enrolment_serial, first.serial});
  ASSERT_FALSE(second.serial.empty());
  EXPECT_LT(now_ms(), first.not_after_ms) << "renewed only after the certificate had expired";
  EXPECT_GT(second.not_after_ms, first.not_after_ms);
  EXPECT_NE(second.key_pem, first.key_pem) << "the renewal kept the old key";
  EXPECT_NE(second.key_pem.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(second.mode, 0600);
  EXPECT_EQ(first.mode, 0600);

  // The server shows the agent's newest certificate and audits each renewal as the agent's act.
  auto shown = admin.get("/api/v1/agents/" + id);
  ASSERT_TRUE(shown);
  ASSERT_EQ(shown->status, 200) << shown->body;
  const boost::json::value agent_json = body_of(*shown);
  const auto& certificate = agent_json.at("certificate");
  ASSERT_TRUE(certificate.is_object()) << shown->body;
  EXPECT_EQ(certificate.at("serial").as_string(), second.serial);
  auto audit = admin.get("/api/v1/audit?action=agent.certificate.renew");
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->status, 200) << audit->body;
  std::set<std::string> audited;
  const boost::json::value audit_json = body_of(*audit);
  for (const auto& entry : audit_json.at("items").as_array()) {
    EXPECT_EQ(entry.at("target").as_string(), "agent:" + id);
    EXPECT_EQ(entry.at("actor").as_string(), "agent:" + id);
    audited.insert(std::string(entry.at("details").at("serial").as_string()));
  }
  EXPECT_TRUE(audited.count(first.serial) == 1 && audited.count(second.serial) == 1) << audit->body;

  // Once every certificate the agent held before `second` has expired, it is still connected...
  const std::int64_t old_expired = std::max(enrolment_not_after, first.not_after_ms) + 1000;
  std::this_thread::sleep_for(
      std::chrono::milliseconds(std::max<std::int64_t>(0, old_expired - now_ms())));
  EXPECT_TRUE(eventually([&] { return answers_ping(admin, id); }, std::chrono::seconds(10)));

  // ...and started again from its data dir it connects through mutual TLS with a renewed
  // certificate: the old ones would be refused now.
  const auto held_before_restart = held_certificate(agent);
  ASSERT_TRUE(held_before_restart);
  EXPECT_GT(held_before_restart->not_after_ms, now_ms());
  agent.kill();
  const std::size_t log_before_restart = agent.log().size();
  ASSERT_TRUE(agent.restart());
  EXPECT_TRUE(eventually([&] {
    return agent.log().find("channel: connected", log_before_restart) != std::string::npos;
  }));
  EXPECT_TRUE(eventually([&] { return answers_ping(admin, id); }, std::chrono::seconds(20)));
  EXPECT_EQ(status_of(admin, id), "online");
  EXPECT_EQ(agent.log().find("cannot save the renewed certificate"), std::string::npos);
}

// The renewal is the same SQL on both backends (and covered there by the registry's tests); one
// backend keeps this minute-long test from doubling.
INSTANTIATE_TEST_SUITE_P(Backends, CertificateRenewalTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::test
