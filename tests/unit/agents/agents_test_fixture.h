#pragma once
// A real agent CA, registry and enrolment service on a fresh migrated database (SQLite or
// PostgreSQL), a real audit log and bus, and a manual clock.

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sentinel/agents/agent_registry.h"
#include "sentinel/agents/certificate_authority.h"
#include "sentinel/agents/enrollment.h"
#include "sentinel/auth/audit_log.h"
#include "sentinel/bus/bus.h"
#include "tests/support/test_database.h"
#include "tests/unit/agents/csr_support.h"

namespace sentinel::agents {

class AgentsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto url = sentinel::test::test_database_url(GetParam(), dir_);
    ASSERT_TRUE(url) << url.error().message;
    url_ = *url;
    db_ = open_database();
    ASSERT_TRUE(db_);
    ASSERT_TRUE(store::migrate(*db_));
    bus_ = bus::make_inproc_bus();
    subscription_ = bus_->subscribe("agent", [this](const bus::Message& message) {
      std::lock_guard lock(events_mutex_);
      events_.push_back(message.payload);
    });
    audit_ = auth::make_audit_log(*db_, *bus_, clock_);
    auto ca = CertificateAuthority::open_or_create(dir_.path() / "ca", clock_);
    ASSERT_TRUE(ca) << ca.error().message;
    ca_ = std::move(*ca);
    // The channel certificate stands in for the gateway's: any certificate can be pinned.
    auto pinned = ca_->ensure_channel_certificate({});
    ASSERT_TRUE(pinned) << pinned.error().message;
    gateway_certificate_ = pinned->cert_file;
    RegistryOptions registry_options;
    registry_options.offline_after_ms = 45'000;
    registry_options.certificate_lifetime = std::chrono::hours(24);
    registry_options.flush_interval = std::chrono::milliseconds(50);
    auto registry = AgentRegistry::create(*db_, *audit_, *bus_, *ca_, clock_, registry_options);
    ASSERT_TRUE(registry) << registry.error().message;
    registry_ = std::move(*registry);
    EnrollmentOptions options;
    options.default_token_minutes = 60;
    options.heartbeat_s = 15;
    options.channel_port = 8444;
    options.gateway_certificate_file = gateway_certificate_;
    options.server_url = [] { return std::string("https://sentinel.example:8443"); };
    options.max_failures_per_minute = 5;
    enrollment_ = EnrollmentService::create(*db_, *registry_, *ca_, *audit_, metrics_, clock_,
                                            std::move(options));
    admin_.username = "admin";
    admin_.user_id = 1;
  }

  void TearDown() override {
    if (registry_) registry_->stop();
    subscription_.reset();
  }

  /// Another handle on the test database, as a second server process would have.
  std::unique_ptr<store::Database> open_database() {
    auto db = store::open_database(url_);
    EXPECT_TRUE(db) << db.error().message;
    return db ? std::move(*db) : nullptr;
  }

  /// A new token; fails the test when it cannot be created.
  CreatedEnrollmentToken new_token(EnrollmentTokenSpec spec = {}) {
    auto created = enrollment_->create_token(admin_, spec, client_);
    EXPECT_TRUE(created) << created.error().message;
    return created ? std::move(*created) : CreatedEnrollmentToken{};
  }

  /// Enrols with `token` and a fresh P-256 key, as host `hostname`.
  Result<EnrollmentGrant> enroll(const Secret& token, const std::string& hostname = "web-1",
                                 std::string source = "192.0.2.50") {
    auto key = test::make_key("P-256");
    EnrollmentRequest request{token,
                              test::make_csr(key.get(), hostname),
                              {hostname, "Debian GNU/Linux 12", "6.1.0", "x86_64", "0.1.0"}};
    return enrollment_->enroll(request, {std::move(source), "sentinel-agent/0.1"});
  }

  /// The serial of the newest certificate of a freshly enrolled agent.
  std::string serial_of(const std::string& agent_id) {
    auto agent = registry_->get(agent_id);
    EXPECT_TRUE(agent && agent->certificate);
    return agent && agent->certificate ? agent->certificate->serial_hex : std::string();
  }

  std::vector<std::string> events() {
    std::lock_guard lock(events_mutex_);
    return events_;
  }

  sentinel::test::TempDir dir_{"sentinel-agents"};
  std::string url_;
  ManualClock clock_{SystemClock().now_ms()};
  MetricsRegistry metrics_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<bus::Bus> bus_;
  std::unique_ptr<bus::Subscription> subscription_;
  std::mutex events_mutex_;
  std::vector<std::string> events_;
  std::unique_ptr<auth::AuditLog> audit_;
  std::unique_ptr<CertificateAuthority> ca_;
  std::string gateway_certificate_;
  std::unique_ptr<AgentRegistry> registry_;
  std::unique_ptr<EnrollmentService> enrollment_;
  auth::Principal admin_;
  auth::ClientInfo client_{"192.0.2.10", "test"};
};

}  // namespace sentinel::agents
