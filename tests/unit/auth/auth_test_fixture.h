#pragma once
// A real AuthService on a fresh migrated database (SQLite or PostgreSQL), a real audit log and a
// manual clock; argon2id at libsodium's minimum cost so that the tests stay fast.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "sentinel/auth/auth_service.h"
#include "sentinel/bus/bus.h"
#include "tests/support/test_database.h"

namespace sentinel::auth {

inline constexpr std::int64_t kStartMs = 1767225600000;  // 2026-01-01T00:00:00Z
inline constexpr std::string_view kAdminPassword = "Correct-Horse-Staple-42";
inline constexpr std::string_view kUserPassword = "long-enough-passphrase-7";

class AuthServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto db = test::open_test_database(GetParam(), dir_);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    bus_ = bus::make_inproc_bus();
    audit_ = make_audit_log(*db_, *bus_, clock_);
    AuthConfig config;
    config.password_cost = PasswordCost::minimum();
    auto service = AuthService::create(*db_, *audit_, metrics_, clock_, config);
    ASSERT_TRUE(service) << service.error().message;
    service_ = std::move(*service);
    auto admin = service_->ensure_admin(Secret(std::string(kAdminPassword)));
    ASSERT_TRUE(admin) << admin.error().message;
    ASSERT_TRUE(admin->has_value());
    auto logged_in = login("admin", kAdminPassword);
    ASSERT_TRUE(logged_in.result) << logged_in.result.error().message;
    admin_ = principal_of(*logged_in.result);
  }

  LoginOutcome login(std::string_view username, std::string_view password,
                     std::optional<std::string> totp = std::nullopt,
                     std::string source = "192.0.2.1") {
    LoginRequest request{std::string(username), Secret(std::string(password)), std::nullopt};
    if (totp) request.totp = Secret(*totp);
    return service_->login(request, {std::move(source), "test-agent"});
  }

  /// The principal that the session of a successful login resolves to.
  Principal principal_of(const LoginResult& result) {
    auto principal = service_->authenticate_session(result.session_token, "192.0.2.1");
    EXPECT_TRUE(principal) << principal.error().message;
    return principal ? *principal : Principal{};
  }

  UserView make_user(const std::string& username, std::vector<std::string> roles) {
    NewUser user{username, "", Secret(std::string(kUserPassword)), std::move(roles)};
    auto created = service_->create_user(admin_, user, client_);
    EXPECT_TRUE(created) << created.error().message;
    return created ? *created : UserView{};
  }

  /// Logs `username` in with kUserPassword and returns the session's principal.
  Principal session_for(std::string_view username) {
    auto outcome = login(username, kUserPassword);
    EXPECT_TRUE(outcome.result) << outcome.result.error().message;
    return outcome.result ? principal_of(*outcome.result) : Principal{};
  }

  test::TempDir dir_{"sentinel-auth"};
  ManualClock clock_{kStartMs};
  MetricsRegistry metrics_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<bus::Bus> bus_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<AuthService> service_;
  Principal admin_;
  ClientInfo client_{"192.0.2.10", "test-agent"};
};

}  // namespace sentinel::auth
