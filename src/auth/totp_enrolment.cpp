// TOTP enrolment, recovery codes, disabling and admin reset (the TOTP math is in totp.cpp).

#include "auth_service_impl.h"
#include "recovery_codes.h"
#include "sentinel/auth/totp.h"
#include "sentinel/store/session_repository.h"

namespace sentinel::auth {
namespace {

std::vector<std::string> hashes_of(const std::vector<Secret>& codes) {
  std::vector<std::string> hashes;
  hashes.reserve(codes.size());
  for (const auto& code : codes) hashes.push_back(recovery_code_hash(code.reveal()));
  return hashes;
}

}  // namespace

Result<TotpSetup> AuthServiceImpl::begin_totp_setup(const Principal& caller,
                                                    const ClientInfo& client) {
  SENTINEL_TRY(require_session(caller));
  Autocommit connection(db_);
  SENTINEL_ASSIGN(user, load_user(connection, caller.user_id));
  if (user.totp_enabled) return conflict("Two-factor authentication is already on.");
  const std::string secret = totp::generate_secret();
  const std::string encoded = totp::base32_encode(secret);
  SENTINEL_TRY(
      store::UserRepository(connection).set_totp_pending(user.id, encoded, clock_.now_ms()));
  audit(caller.username, "totp.setup", "user:" + std::to_string(user.id), client, "success");
  return TotpSetup{Secret(encoded),
                   Secret(totp::otpauth_uri(config_.totp_issuer, user.username, secret))};
}

Result<std::vector<Secret>> AuthServiceImpl::confirm_totp(const Principal& caller,
                                                          std::string_view code,
                                                          const ClientInfo& client) {
  SENTINEL_TRY(require_session(caller));
  Autocommit connection(db_);
  SENTINEL_ASSIGN(user, load_user(connection, caller.user_id));
  if (user.totp_enabled) return conflict("Two-factor authentication is already on.");
  if (user.totp_pending_secret.empty()) {
    return invalid_argument("Start with POST /api/v1/auth/totp/setup.", "code");
  }
  SENTINEL_ASSIGN(secret, totp::base32_decode(user.totp_pending_secret));
  const auto step = totp::matching_step(secret, code, clock_.now_s());
  if (!step) {
    audit(caller.username, "totp.enable", "user:" + std::to_string(user.id), client, "failure");
    return invalid_argument("The code does not match; check the device's clock.", "code");
  }
  std::vector<Secret> codes = generate_recovery_codes();
  SENTINEL_TRY(db_.transact([&](store::Connection& tx) -> Status {
    store::UserRepository users(tx);
    SENTINEL_TRY(users.enable_totp(user.id, clock_.now_ms()));
    // The confirmation code counts as used.
    SENTINEL_TRY(users.advance_totp_step(user.id, *step));
    SENTINEL_TRY(users.replace_recovery_codes(user.id, hashes_of(codes)));
    return store::SessionRepository(tx).clear_enrollment_required(user.id);
  }));
  audit(caller.username, "totp.enable", "user:" + std::to_string(user.id), client, "success");
  return codes;
}

Result<store::UserRecord> AuthServiceImpl::reverify_totp_owner(store::Connection& connection,
                                                               const Principal& caller,
                                                               const Secret& password) {
  SENTINEL_TRY(require_session(caller));
  SENTINEL_ASSIGN(user, load_user(connection, caller.user_id));
  if (!user.totp_enabled) return conflict("Two-factor authentication is not on.");
  SENTINEL_TRY(check_password(user, password, "password"));
  return user;
}

Status AuthServiceImpl::disable_totp(const Principal& caller, const Secret& password,
                                     const ClientInfo& client) {
  Autocommit connection(db_);
  SENTINEL_ASSIGN(user, reverify_totp_owner(connection, caller, password));
  SENTINEL_ASSIGN(required, roles_require_2fa(connection, user.roles));
  if (required) return permission_denied("Your role requires two-factor authentication.");
  SENTINEL_TRY(clear_totp(user.id));
  audit(caller.username, "totp.disable", "user:" + std::to_string(user.id), client, "success");
  return ok();
}

Result<std::vector<Secret>> AuthServiceImpl::regenerate_recovery_codes(const Principal& caller,
                                                                       const Secret& password,
                                                                       const ClientInfo& client) {
  Autocommit connection(db_);
  SENTINEL_ASSIGN(user, reverify_totp_owner(connection, caller, password));
  std::vector<Secret> codes = generate_recovery_codes();
  // One transaction: the old codes never vanish without the new ones in place.
  SENTINEL_TRY(db_.transact([&](store::Connection& tx) {
    return store::UserRepository(tx).replace_recovery_codes(user.id, hashes_of(codes));
  }));
  audit(caller.username, "totp.recovery_codes", "user:" + std::to_string(user.id), client,
        "success");
  return codes;
}

Status AuthServiceImpl::clear_totp(std::int64_t user_id) {
  // The secret and the recovery codes go together or not at all.
  return db_.transact([&](store::Connection& tx) {
    return store::UserRepository(tx).clear_totp(user_id, clock_.now_ms());
  });
}

Status AuthServiceImpl::reset_totp(const Principal& caller, std::int64_t user_id,
                                   const ClientInfo& client) {
  Autocommit connection(db_);
  SENTINEL_ASSIGN(user, load_user(connection, user_id));
  SENTINEL_TRY(clear_totp(user.id));
  audit(caller.username, "totp.reset", "user:" + std::to_string(user.id), client, "success");
  return ok();
}

}  // namespace sentinel::auth
