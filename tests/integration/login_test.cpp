// Login, sessions, CSRF, TOTP with codes computed by oathtool, recovery codes, lockout.

#include <gtest/gtest.h>

#include <ctime>

#include "tests/integration/api_fixture.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

using boost::json::object;

class LoginTest : public ApiTest {
 protected:
  /// A client connecting from another loopback address, as a different machine would.
  client::ApiClient from(const std::string& source_address) {
    client::ClientOptions options;
    options.base_url = server_->url();
    options.ca_file = server_->ca_file();
    options.source_address = source_address;
    auto api = client::ApiClient::create(options);
    EXPECT_TRUE(api) << api.error().message;
    return std::move(*api);
  }
};

/// A TOTP code computed independently of our implementation, at now + offset seconds.
std::string oathtool_code(const std::string& base32_secret, int offset_seconds = 0) {
  const std::string at = "@" + std::to_string(std::time(nullptr) + offset_seconds);
  auto out = run_command({"oathtool", "--totp", "-b", "--now", at, base32_secret});
  EXPECT_TRUE(out && out->exit_code == 0) << (out ? out->err : out.error().message);
  std::string code = out ? out->out : "";
  while (!code.empty() && (code.back() == '\n')) code.pop_back();
  return code;
}

TEST_P(LoginTest, LoginSetsAHardenedSessionCookieAndCsrfToken) {
  client::ApiClient api = anonymous();
  const client::HttpReply reply = login(api, "admin", kAdminPassword);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const std::string cookie = reply.header("set-cookie");
  EXPECT_NE(cookie.find("sentinel_session="), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("Secure"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_FALSE(body_of(reply).at("csrf_token").as_string().empty());

  auto me = api.get("/api/v1/auth/me");
  ASSERT_TRUE(me);
  ASSERT_EQ(me->status, 200) << me->body;
  EXPECT_EQ(body_of(*me).at("user").at("username").as_string(), "admin");
}

TEST_P(LoginTest, WrongPasswordAndUnknownUserGetTheSameAnswer) {
  client::ApiClient api = anonymous();
  const client::HttpReply wrong = login(api, "admin", "not-the-password-at-all");
  const client::HttpReply unknown = login(api, "nobody-here", "not-the-password-at-all");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(error_code(wrong), "invalid_credentials");
  EXPECT_EQ(wrong.body, unknown.body);
}

TEST_P(LoginTest, EachLoginGetsANewSessionAndLogoutEndsIt) {
  client::ApiClient first = admin();
  client::ApiClient second = admin();
  ASSERT_TRUE(first.cookie("sentinel_session") && second.cookie("sentinel_session"));
  EXPECT_NE(first.cookie("sentinel_session")->reveal(),
            second.cookie("sentinel_session")->reveal());

  auto out = first.post("/api/v1/auth/logout");
  ASSERT_TRUE(out);
  EXPECT_LT(out->status, 300) << out->body;
  auto me = first.get("/api/v1/auth/me");
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 401);
  auto still = second.get("/api/v1/auth/me");
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200);
}

TEST_P(LoginTest, StateChangeWithACookieNeedsTheCsrfToken) {
  client::ApiClient api = admin();
  const Secret csrf = api.csrf_token();
  api.set_csrf_token(Secret());
  auto refused = api.post("/api/v1/tokens", object{{"name", "no-csrf"}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(error_code(*refused), "csrf_failed");

  api.set_csrf_token(Secret("forged-token"));
  auto forged = api.post("/api/v1/tokens", object{{"name", "forged-csrf"}});
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);

  api.set_csrf_token(csrf);
  auto accepted = api.post("/api/v1/tokens", object{{"name", "with-csrf"}});
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->status, 201) << accepted->body;
}

TEST_P(LoginTest, TotpEnrolmentLoginReplayAndRecoveryCodes) {
  client::ApiClient api = admin();
  auto setup = api.post("/api/v1/auth/totp/setup");
  ASSERT_TRUE(setup);
  ASSERT_EQ(setup->status, 200) << setup->body;
  const std::string secret(body_of(*setup).at("secret").as_string());
  EXPECT_NE(std::string(body_of(*setup).at("otpauth_uri").as_string()).find("otpauth://totp/"),
            std::string::npos);

  auto bad_confirm = api.post("/api/v1/auth/totp/confirm", object{{"code", "000000"}});
  ASSERT_TRUE(bad_confirm);
  EXPECT_EQ(bad_confirm->status / 100, 4);

  const std::string current = oathtool_code(secret);
  auto confirm = api.post("/api/v1/auth/totp/confirm", object{{"code", current}});
  ASSERT_TRUE(confirm);
  ASSERT_EQ(confirm->status, 200) << confirm->body;
  const boost::json::value confirmed = body_of(*confirm);
  const auto& codes = confirmed.at("recovery_codes").as_array();
  ASSERT_EQ(codes.size(), 10u);
  const std::string recovery(codes.at(0).as_string());

  client::ApiClient fresh = anonymous();
  EXPECT_EQ(error_code(login(fresh, "admin", kAdminPassword)), "totp_required");
  EXPECT_EQ(
      error_code(login(fresh, "admin", kAdminPassword, "123456" == current ? "654321" : "123456")),
      "invalid_totp");
  // The code used to confirm cannot be used again.
  EXPECT_EQ(login(fresh, "admin", kAdminPassword, current).status, 401);

  const std::string next = oathtool_code(secret, 30);
  EXPECT_EQ(login(fresh, "admin", kAdminPassword, next).status, 200);
  EXPECT_EQ(login(anonymous(), "admin", kAdminPassword, next).status, 401) << "replayed code";

  EXPECT_EQ(login(anonymous(), "admin", kAdminPassword, recovery).status, 200);
  EXPECT_EQ(login(anonymous(), "admin", kAdminPassword, recovery).status, 401)
      << "a recovery code works once";
}

TEST_P(LoginTest, RepeatedFailuresLockTheAccountUntilAnAdminUnlocks) {
  client::ApiClient root = admin();
  const std::string password = "Builder-Long-Password-7731";
  const std::int64_t bob = create_user(root, "bob", password, "viewer");

  client::ApiClient attacker = from("127.0.0.2");
  int locked_status = 0;
  client::HttpReply last;
  for (int i = 0; i < 12 && locked_status != 429; ++i) {
    last = login(attacker, "bob", "wrong-password-guess-" + std::to_string(i));
    locked_status = last.status;
  }
  ASSERT_EQ(locked_status, 429) << "never locked: " << last.body;
  EXPECT_EQ(error_code(last), "locked_out");
  EXPECT_FALSE(last.header("retry-after").empty());
  // Even the right password is refused while locked.
  EXPECT_EQ(login(from("127.0.0.2"), "bob", password).status, 429);

  // From another address too: the account itself is locked.
  EXPECT_EQ(login(from("127.0.0.3"), "bob", password).status, 429);

  auto unlock = root.post("/api/v1/users/" + std::to_string(bob) + "/unlock");
  ASSERT_TRUE(unlock);
  EXPECT_LT(unlock->status, 300) << unlock->body;
  // The account is open again for its owner; the attacker's address stays throttled.
  EXPECT_EQ(login(from("127.0.0.3"), "bob", password).status, 200);
  EXPECT_EQ(login(from("127.0.0.2"), "bob", password).status, 429);
}

TEST_P(LoginTest, ARoleThatRequires2faConfinesTheSessionUntilEnrolment) {
  client::ApiClient root = admin();
  create_user(root, "olga", "Required-Factor-Phrase-61", "viewer");
  auto policy = root.patch("/api/v1/settings/auth",
                           object{{"require_2fa_roles", boost::json::array{"viewer"}}});
  ASSERT_TRUE(policy);
  ASSERT_EQ(policy->status, 200) << policy->body;

  client::ApiClient olga = anonymous();
  const client::HttpReply first = login(olga, "olga", "Required-Factor-Phrase-61");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_TRUE(body_of(first).at("totp_enrollment_required").as_bool());
  // Only enrolment, /auth/me and logout are open.
  auto agents = olga.get("/api/v1/sessions");
  ASSERT_TRUE(agents);
  EXPECT_EQ(agents->status, 403);
  EXPECT_EQ(error_code(*agents), "totp_enrollment_required");
  EXPECT_EQ(olga.get("/api/v1/auth/me")->status, 200);

  auto setup = olga.post("/api/v1/auth/totp/setup");
  ASSERT_TRUE(setup);
  ASSERT_EQ(setup->status, 200) << setup->body;
  const std::string secret(body_of(*setup).at("secret").as_string());
  auto confirm = olga.post("/api/v1/auth/totp/confirm", object{{"code", oathtool_code(secret)}});
  ASSERT_TRUE(confirm);
  ASSERT_EQ(confirm->status, 200) << confirm->body;

  client::ApiClient again = anonymous();
  EXPECT_EQ(error_code(login(again, "olga", "Required-Factor-Phrase-61")), "totp_required");
  const client::HttpReply enrolled =
      login(again, "olga", "Required-Factor-Phrase-61", oathtool_code(secret, 30));
  ASSERT_EQ(enrolled.status, 200) << enrolled.body;
  EXPECT_FALSE(body_of(enrolled).at("totp_enrollment_required").as_bool());
  EXPECT_EQ(again.get("/api/v1/sessions")->status, 200);
}

TEST_P(LoginTest, AuthSettingsShowTheConfiguredSessionLifetimesWhichPatchCannotChange) {
  ASSERT_TRUE(server_->stop());
  start_server({"--set", "auth.session_idle_minutes=45", "--set", "auth.session_absolute_hours=6"});
  client::ApiClient root = anonymous();
  const client::HttpReply signed_in = login(root, "admin", kAdminPassword);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  // The lifetime shown is the one in force: this session ends six hours from now.
  const std::int64_t now_ms = static_cast<std::int64_t>(std::time(nullptr)) * 1000;
  const std::int64_t expires_at = body_of(signed_in).at("expires_at").as_int64();
  EXPECT_NEAR(static_cast<double>(expires_at - now_ms), 6.0 * 3600 * 1000, 60'000.0);

  auto shown = root.get("/api/v1/settings/auth");
  ASSERT_TRUE(shown);
  ASSERT_EQ(shown->status, 200) << shown->body;
  EXPECT_EQ(body_of(*shown), boost::json::parse(R"({"require_2fa_roles":[],)"
                                                R"("session_idle_minutes":45,)"
                                                R"("session_absolute_hours":6})"));

  for (const std::string field : {"session_idle_minutes", "session_absolute_hours"}) {
    auto refused = root.patch("/api/v1/settings/auth", object{{field, 90}});
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400) << refused->body;
    const auto error = refused->api_error();
    ASSERT_TRUE(error) << refused->body;
    EXPECT_EQ(error->code, "invalid_argument");
    EXPECT_EQ(error->field, field);
    EXPECT_NE(error->message.find("auth." + field), std::string::npos) << error->message;
  }
  auto again = root.get("/api/v1/settings/auth");
  ASSERT_TRUE(again);
  EXPECT_EQ(body_of(*again).at("session_idle_minutes").as_int64(), 45);

  // A viewer has no settings:read.
  create_user(root, "lifetime-viewer", "Read-Only-Phrase-Gamma-204", "viewer");
  client::ApiClient viewer = anonymous();
  ASSERT_EQ(login(viewer, "lifetime-viewer", "Read-Only-Phrase-Gamma-204").status, 200);
  EXPECT_EQ(viewer.get("/api/v1/settings/auth")->status, 403);
}

SENTINEL_BOTH_BACKENDS(LoginTest);

}  // namespace
}  // namespace sentinel::test
