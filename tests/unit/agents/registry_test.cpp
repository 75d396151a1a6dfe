// The agent registry: who may connect, liveness, renewal, revoke, delete, placement, listing.

#include <boost/json/parse.hpp>
#include <thread>

#include "tests/unit/agents/agents_test_fixture.h"

namespace sentinel::agents {
namespace {

const AgentFacts kFacts{"web-1", "Debian GNU/Linux 12", "6.1.0-18-amd64", "x86_64", "0.2.0"};

class RegistryFixture : public AgentsTest {
 protected:
  /// Enrols an agent with a new token carrying `spec`; returns its id.
  std::string enrolled(const std::string& hostname = "web-1", EnrollmentTokenSpec spec = {}) {
    auto grant = enroll(new_token(std::move(spec)).token, hostname);
    EXPECT_TRUE(grant) << grant.error().message;
    return grant ? grant->agent_id : std::string();
  }

  Result<IssuedCertificate> renew(const std::string& id) {
    auto key = test::make_key("P-256");
    return registry_->renew_certificate(id, test::make_csr(key.get(), id));
  }

  AgentStatus status_of(const std::string& id) {
    auto agent = registry_->get(id);
    EXPECT_TRUE(agent) << agent.error().message;
    return agent ? agent->status : AgentStatus::kOffline;
  }

  std::vector<std::string> actions_of_events() {
    std::vector<std::string> actions;
    for (const std::string& event : events()) {
      actions.emplace_back(boost::json::parse(event).at("action").as_string());
    }
    return actions;
  }

  std::vector<std::string> audit_actions() {
    auto entries = audit_->list({});
    EXPECT_TRUE(entries);
    std::vector<std::string> actions;
    for (const auto& entry : *entries) actions.push_back(entry.record.action);
    return actions;
  }

  std::vector<std::string> hostnames(const AgentFilter& filter) {
    auto page = registry_->list(filter);
    EXPECT_TRUE(page) << page.error().message;
    std::vector<std::string> out;
    if (page) {
      for (const auto& agent : page->items) out.push_back(agent.facts.hostname);
    }
    return out;
  }

  /// Waits until the bus delivered `count` events (it delivers on its own thread).
  void await_events(std::size_t count) {
    for (int i = 0; i < 200 && events().size() < count; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
};

TEST_P(RegistryFixture, RevokedAgentIsRefusedAndItsConnectionClosed) {
  const std::string id = enrolled();
  const std::string serial = serial_of(id);
  ASSERT_TRUE(registry_->certificate_allowed(id, serial));
  EXPECT_FALSE(registry_->certificate_allowed(id, "1234"));
  EXPECT_FALSE(registry_->certificate_allowed("agt_other", serial));

  std::vector<std::string> closed;
  registry_->on_revoked([&closed](const std::string& agent_id) { closed.push_back(agent_id); });
  ASSERT_TRUE(registry_->revoke(admin_, id, client_));
  EXPECT_FALSE(registry_->certificate_allowed(id, serial));
  EXPECT_EQ(closed, std::vector<std::string>{id});
  EXPECT_EQ(status_of(id), AgentStatus::kRevoked);
  EXPECT_EQ(registry_->record_connected(id, kFacts, "192.0.2.7").error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(renew(id).error().code, ErrorCode::kPermissionDenied);

  ASSERT_TRUE(registry_->revoke(admin_, id, client_)) << "revoking again is no error";
  EXPECT_EQ(closed.size(), 1u) << "and changes nothing";
  const auto actions = audit_actions();
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "agent.revoke"), 1);
  EXPECT_EQ(registry_->revoke(admin_, "agt_nosuchagent", client_).error().code,
            ErrorCode::kNotFound);
  await_events(2);
  EXPECT_EQ(actions_of_events(), (std::vector<std::string>{"enrolled", "revoked"}));
}

TEST_P(RegistryFixture, TheAllowListIsRebuiltFromTheDatabase) {
  const std::string kept = enrolled("kept");
  const std::string revoked = enrolled("revoked");
  ASSERT_TRUE(registry_->revoke(admin_, revoked, client_));
  auto restarted = AgentRegistry::create(*db_, *audit_, *bus_, *ca_, clock_, RegistryOptions{});
  ASSERT_TRUE(restarted);
  EXPECT_TRUE((*restarted)->certificate_allowed(kept, serial_of(kept)));
  EXPECT_FALSE((*restarted)->certificate_allowed(revoked, serial_of(revoked)));
}

TEST_P(RegistryFixture, RenewalAddsACertificateAndKeepsTheOldOneUntilItExpires) {
  const std::string id = enrolled();
  const std::string first = serial_of(id);
  const std::int64_t first_expires = registry_->get(id)->certificate->not_after_ms;
  clock_.advance_ms(1000);
  auto renewed = renew(id);
  ASSERT_TRUE(renewed) << renewed.error().message;
  EXPECT_NE(renewed->serial_hex, first);
  EXPECT_EQ(
      test::verify(renewed->certificate_pem, ca_->ca_certificate_pem(), X509_PURPOSE_SSL_CLIENT),
      "ok");
  EXPECT_TRUE(registry_->certificate_allowed(id, renewed->serial_hex));
  EXPECT_TRUE(registry_->certificate_allowed(id, first));
  EXPECT_EQ(serial_of(id), renewed->serial_hex) << "the agent shows its newest certificate";
  // Serials are compared as numbers written in hex: case and leading zeros do not matter.
  std::string upper = "00" + renewed->serial_hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(registry_->certificate_allowed(id, upper));

  clock_.set_ms(first_expires);  // the first expired, the renewed one (a second younger) not yet
  EXPECT_FALSE(registry_->certificate_allowed(id, first));
  EXPECT_TRUE(registry_->certificate_allowed(id, renewed->serial_hex));

  auto key = test::make_key("rsa1024");
  EXPECT_EQ(registry_->renew_certificate(id, test::make_csr(key.get(), id)).error().field, "csr");
  EXPECT_EQ(renew("agt_nosuchagent").error().code, ErrorCode::kNotFound);
}

TEST_P(RegistryFixture, RenewalsArePerAgentBounded) {
  const std::string id = enrolled();
  int renewed = 0;
  Result<IssuedCertificate> last = renew(id);
  while (last && renewed < 20) {
    ++renewed;
    last = renew(id);
  }
  EXPECT_EQ(renewed, 7) << "eight live certificates at most";
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().code, ErrorCode::kRateLimited);
}

TEST_P(RegistryFixture, ConnectedAgentIsOnlineUntilItFallsSilent) {
  const std::string id = enrolled("old-name");
  ASSERT_TRUE(registry_->start());
  EXPECT_EQ(status_of(id), AgentStatus::kOffline);
  ASSERT_TRUE(registry_->record_connected(id, kFacts, "192.0.2.7:50432"));
  auto agent = registry_->get(id);
  ASSERT_TRUE(agent);
  EXPECT_EQ(agent->status, AgentStatus::kOnline);
  EXPECT_EQ(agent->facts.hostname, "web-1") << "the hello's facts replace the enrolment's";
  EXPECT_EQ(agent->facts.kernel, "6.1.0-18-amd64");
  EXPECT_EQ(agent->last_address, "192.0.2.7:50432");
  EXPECT_EQ(agent->first_seen_ms, clock_.now_ms());
  const std::int64_t first_seen = clock_.now_ms();

  clock_.advance_ms(46'000);
  EXPECT_EQ(status_of(id), AgentStatus::kOffline) << "no heartbeat for longer than offline_after";
  registry_->touch(id);
  EXPECT_EQ(status_of(id), AgentStatus::kOnline) << "seen, before the flush";
  for (int i = 0; i < 100; ++i) {
    auto stored = db_->query("SELECT last_seen FROM agents WHERE id = $1", {id});
    if (stored && stored->front().integer(0) == clock_.now_ms()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto stored = db_->query("SELECT last_seen, first_seen FROM agents WHERE id = $1", {id});
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->front().integer(0), clock_.now_ms()) << "touch reached the database";
  EXPECT_EQ(stored->front().integer(1), first_seen);
  EXPECT_EQ(hostnames({.status = AgentStatus::kOnline}).size(), 1u) << "online after the flush";

  ASSERT_TRUE(registry_->record_disconnected(id));
  EXPECT_EQ(status_of(id), AgentStatus::kOffline);
  await_events(3);
  EXPECT_EQ(actions_of_events(),
            (std::vector<std::string>{"enrolled", "connected", "disconnected"}));

  EXPECT_EQ(registry_->record_connected("agt_nosuchagent", kFacts, "x").error().code,
            ErrorCode::kNotFound);
  AgentFacts bad = kFacts;
  bad.os = std::string("Debian\n", 7);
  EXPECT_EQ(registry_->record_connected(id, bad, "x").error().field, "os");
}

TEST_P(RegistryFixture, DeletedAgentIsGone) {
  const std::string id = enrolled();
  const std::string serial = serial_of(id);
  std::vector<std::string> closed;
  registry_->on_revoked([&closed](const std::string& agent_id) { closed.push_back(agent_id); });
  ASSERT_TRUE(registry_->remove(admin_, id, client_));
  EXPECT_EQ(registry_->get(id).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(registry_->certificate_allowed(id, serial));
  EXPECT_EQ(closed, std::vector<std::string>{id});
  auto certificates = db_->query("SELECT COUNT(*) FROM agent_certificates");
  EXPECT_EQ(certificates->front().integer(0), 0);
  EXPECT_EQ(registry_->remove(admin_, id, client_).error().code, ErrorCode::kNotFound);
  auto actions = audit_actions();
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "agent.delete"), 1);
}

TEST_P(RegistryFixture, UpdateChangesGroupAndLabels) {
  EnrollmentTokenSpec spec;
  spec.group = "web";
  spec.labels = {{"env", "prod"}, {"tier", "1"}};
  const std::string id = enrolled("web-1", spec);
  AgentUpdate change;
  change.group = "db";
  change.set_labels = {{"env", "staging"}, {"owner", "ops team"}};
  change.remove_labels = {"tier", "absent"};
  auto updated = registry_->update(admin_, id, change, client_);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->group, "db");
  EXPECT_EQ(updated->labels, (AgentLabels{{"env", "staging"}, {"owner", "ops team"}}));
  EXPECT_EQ(hostnames({.label = std::pair{std::string("env"), std::string("staging")}}),
            std::vector<std::string>{"web-1"});
  EXPECT_TRUE(hostnames({.label = std::pair{std::string("tier"), std::string("1")}}).empty());

  AgentUpdate leave;
  leave.group = "";
  EXPECT_EQ(registry_->update(admin_, id, leave, client_)->group, "");

  AgentUpdate both;
  both.set_labels = {{"env", "x"}};
  both.remove_labels = {"env"};
  EXPECT_EQ(registry_->update(admin_, id, both, client_).error().field, "labels");
  AgentUpdate too_many;
  for (int i = 0; i < 31; ++i) too_many.set_labels["k" + std::to_string(i)] = "v";
  EXPECT_EQ(registry_->update(admin_, id, too_many, client_).error().field, "labels");
  EXPECT_EQ(registry_->get(id)->labels.size(), 2u) << "a refused update changes nothing";
  EXPECT_EQ(registry_->update(admin_, "agt_nosuchagent", change, client_).error().code,
            ErrorCode::kNotFound);
  auto actions = audit_actions();
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "agent.update"), 2);
}

TEST_P(RegistryFixture, ListFiltersPagesAndCounts) {
  EnrollmentTokenSpec web;
  web.group = "web";
  web.labels = {{"env", "prod"}};
  EnrollmentTokenSpec db;
  db.group = "db";
  db.labels = {{"env", "staging"}};
  const std::string a = enrolled("alpha.example", web);
  const std::string b = enrolled("Bravo.example", web);
  const std::string c = enrolled("charlie", db);
  const std::string d = enrolled("delta_100", db);
  const std::string e = enrolled("echo", {});
  ASSERT_TRUE(registry_->record_connected(a, {"alpha.example"}, "192.0.2.1"));
  ASSERT_TRUE(registry_->record_connected(c, {"charlie"}, "192.0.2.3"));
  ASSERT_TRUE(registry_->revoke(admin_, e, client_));

  EXPECT_EQ(hostnames({}), (std::vector<std::string>{"alpha.example", "Bravo.example", "charlie",
                                                     "delta_100", "echo"}));
  EXPECT_EQ(hostnames({.status = AgentStatus::kOnline}),
            (std::vector<std::string>{"alpha.example", "charlie"}));
  EXPECT_EQ(hostnames({.status = AgentStatus::kOffline}),
            (std::vector<std::string>{"Bravo.example", "delta_100"}));
  EXPECT_EQ(hostnames({.status = AgentStatus::kRevoked}), std::vector<std::string>{"echo"});
  EXPECT_EQ(hostnames({.group = "db"}), (std::vector<std::string>{"charlie", "delta_100"}));
  EXPECT_EQ(
      hostnames({.group = "web", .label = std::pair{std::string("env"), std::string("prod")}}),
      (std::vector<std::string>{"alpha.example", "Bravo.example"}));
  EXPECT_TRUE(hostnames({.label = std::pair{std::string("env"), std::string("PROD")}}).empty());
  EXPECT_EQ(hostnames({.search = "BRAVO"}), std::vector<std::string>{"Bravo.example"});
  EXPECT_EQ(hostnames({.search = ".example"}),
            (std::vector<std::string>{"alpha.example", "Bravo.example"}));
  EXPECT_EQ(hostnames({.search = "_1"}), std::vector<std::string>{"delta_100"})
      << "wildcards in the search are literal";
  EXPECT_TRUE(hostnames({.search = "%"}).empty());
  EXPECT_EQ(hostnames({.search = d.substr(4, 10)}), std::vector<std::string>{"delta_100"})
      << "the id is searched too";

  auto page = registry_->list({.limit = 2, .offset = 2});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 5);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].facts.hostname, "charlie");
  EXPECT_EQ(page->items[0].status, AgentStatus::kOnline);
  EXPECT_EQ(registry_->list({.limit = 0}).error().field, "limit");
  EXPECT_EQ(registry_->list({.limit = 1001}).error().field, "limit");
  EXPECT_EQ(registry_->list({.offset = -1}).error().field, "offset");
  (void)b;
}

INSTANTIATE_TEST_SUITE_P(Backends, RegistryFixture, ::testing::ValuesIn(sentinel::test::kBackends),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sentinel::agents
