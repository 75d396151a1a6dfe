// Login: throttling, password, second factor, new session.

#include <spdlog/logger.h>

#include "auth_service_impl.h"
#include "recovery_codes.h"
#include "sentinel/auth/totp.h"
#include "sentinel/common/crypto.h"
#include "sentinel/store/session_repository.h"

namespace sentinel::auth {
namespace {

Error invalid_credentials() {
  return unauthenticated("Wrong username or password.", "invalid_credentials");
}

std::string reason_details(std::string_view reason) {
  return std::string(R"({"reason":")") + std::string(reason) + "\"}";
}

}  // namespace

LoginOutcome AuthServiceImpl::login(const LoginRequest& request, const ClientInfo& client) {
  const std::vector<std::string> keys = {LoginThrottle::account_key(request.username),
                                         LoginThrottle::source_key(client.source_address)};
  Autocommit connection(db_);
  auto locked = throttle_.seconds_locked(connection, keys);
  if (!locked) return {std::move(locked).error()};
  if (*locked > 0) {
    count_login("locked_out");
    audit(request.username, "auth.login", "", client, "denied", reason_details("locked_out"));
    return {
        Error{
            ErrorCode::kRateLimited, "Too many failed logins; try again later.", "locked_out", {}},
        *locked};
  }
  return {attempt_login(request, client, keys)};
}

Result<LoginResult> AuthServiceImpl::attempt_login(const LoginRequest& request,
                                                   const ClientInfo& client,
                                                   const std::vector<std::string>& throttle_keys) {
  Autocommit connection(db_);
  store::UserRepository users(connection);
  SENTINEL_ASSIGN(found, users.find_by_username(request.username));
  const std::string target = found ? "user:" + std::to_string(found->id) : "";
  const auto refuse = [&](Error error, std::string_view reason) -> Result<LoginResult> {
    SENTINEL_TRY(throttle_.record_failure(connection, throttle_keys));
    count_login(reason);
    audit(request.username, "auth.login", target, client, "failure", reason_details(reason));
    return error;
  };

  if (!found) {
    // The same work as for a real user, so that timing does not tell which names exist.
    hasher_.verify(request.password, dummy_hash_);
    return refuse(invalid_credentials(), "invalid_credentials");
  }
  const store::UserRecord& user = *found;
  if (!hasher_.verify(request.password, user.password_hash)) {
    return refuse(invalid_credentials(), "invalid_credentials");
  }
  if (user.disabled) return refuse(invalid_credentials(), "disabled");

  if (hasher_.needs_rehash(user.password_hash)) {
    auto rehashed = hasher_.hash(request.password);
    if (rehashed) SENTINEL_TRY(users.set_password_hash(user.id, *rehashed, clock_.now_ms()));
  }

  std::string second_factor = "none";
  if (user.totp_enabled) {
    if (!request.totp || request.totp->empty()) {
      count_login("totp_required");
      audit(request.username, "auth.login", target, client, "failure",
            reason_details("totp_required"));
      return unauthenticated("Enter the code from your authenticator app.", "totp_required");
    }
    auto factor = check_second_factor(user, request);
    if (!factor) {
      if (factor.error().reason != "invalid_totp") return std::move(factor).error();
      return refuse(std::move(factor).error(), "invalid_totp");
    }
    second_factor = *factor;
  }

  SENTINEL_TRY(throttle_.clear(connection, throttle_keys.front()));
  SENTINEL_ASSIGN(result, start_session(user, client));
  count_login("success");
  audit(user.username, "auth.login", target, client, "success",
        std::string(R"({"second_factor":")") + second_factor + "\"}");
  return result;
}

Result<std::string> AuthServiceImpl::check_second_factor(const store::UserRecord& user,
                                                         const LoginRequest& request) {
  const std::string& code = request.totp->reveal();
  const Error invalid = unauthenticated("The code is wrong or was already used.", "invalid_totp");
  Autocommit connection(db_);
  store::UserRepository users(connection);
  if (looks_like_recovery_code(code)) {
    SENTINEL_ASSIGN(
        used, users.consume_recovery_code(user.id, recovery_code_hash(code), clock_.now_ms()));
    if (!used) return invalid;
    return std::string("recovery_code");
  }
  SENTINEL_ASSIGN(secret, totp::base32_decode(user.totp_secret));
  const auto step = totp::matching_step(secret, code, clock_.now_s());
  if (!step) return invalid;
  // One conditional update: a code accepted once, here or on another replica, is refused.
  SENTINEL_ASSIGN(fresh, users.advance_totp_step(user.id, *step));
  if (!fresh) return invalid;
  return std::string("totp");
}

Result<LoginResult> AuthServiceImpl::start_session(const store::UserRecord& user,
                                                   const ClientInfo& client) {
  Autocommit connection(db_);
  const std::int64_t now = clock_.now_ms();
  SENTINEL_ASSIGN(role_requires_2fa, roles_require_2fa(connection, user.roles));
  const bool enrollment_required = role_requires_2fa && !user.totp_enabled;

  LoginResult result;
  result.session_token = Secret(crypto::random_token(32));
  result.csrf_token = Secret(crypto::random_token(32));
  result.expires_at_ms = now + config_.session_absolute_ms;

  store::SessionRecord session;
  session.token_hash = crypto::sha256_hex(result.session_token.reveal());
  session.user_id = user.id;
  session.csrf_token = result.csrf_token.reveal();
  session.created_at_ms = now;
  session.last_seen_at_ms = now;
  session.expires_at_ms = result.expires_at_ms;
  session.source_address = client.source_address.substr(0, 64);
  session.user_agent = client.user_agent.substr(0, 256);
  session.totp_enrollment_required = enrollment_required;
  store::SessionRepository sessions(connection);
  SENTINEL_TRY(sessions.remove_expired(now, now - config_.session_idle_ms));
  SENTINEL_TRY(sessions.insert(session));

  SENTINEL_ASSIGN(principal, principal_of(connection, user.id, user.username));
  result.identity.user = user_view(user);
  result.identity.totp_enrollment_required = enrollment_required;
  if (!enrollment_required) result.identity.permissions = std::move(principal.permissions);
  update_session_gauge();
  return result;
}

void AuthServiceImpl::count_login(std::string_view outcome) {
  metrics_.count("sentinel_logins_total", "Login attempts by outcome",
                 {{"outcome", std::string(outcome)}});
}

}  // namespace sentinel::auth
