// Sessions: authentication by cookie, logout, own account, listing and revoking.

#include <algorithm>

#include "auth_service_impl.h"
#include "sentinel/auth/password_policy.h"
#include "sentinel/common/crypto.h"
#include "sentinel/store/session_repository.h"

namespace sentinel::auth {
namespace {

Error session_ended() { return unauthenticated("The session has ended; sign in again."); }

std::string cache_key(std::string_view session_hash) { return "s:" + std::string(session_hash); }

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t value = 0;
  if (text.empty() || text.size() > 18) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

Result<Principal> AuthServiceImpl::authenticate_session(const Secret& session_id,
                                                        std::string_view source_address) {
  if (session_id.empty()) return session_ended();
  const std::string hash = crypto::sha256_hex(session_id.reveal());
  if (auto cached = principals_.find(cache_key(hash))) return std::move(*cached);
  const std::uint64_t generation = principals_.generation();
  Autocommit connection(db_);
  store::SessionRepository sessions(connection);
  SENTINEL_ASSIGN(found, sessions.find_by_token_hash(hash));
  if (!found) return session_ended();
  const std::int64_t now = clock_.now_ms();
  if (found->expires_at_ms <= now || found->last_seen_at_ms <= now - config_.session_idle_ms ||
      found->user_disabled) {
    SENTINEL_TRY(sessions.remove(found->id));
    update_session_gauge();
    return session_ended();
  }
  std::int64_t last_seen = found->last_seen_at_ms;
  if (now - last_seen >= kTouchIntervalMs) {
    SENTINEL_TRY(sessions.touch(found->id, now));
    last_seen = now;
  }
  SENTINEL_ASSIGN(principal, principal_of(connection, found->user_id, found->username));
  principal.kind = CredentialKind::kSession;
  principal.credential_id = std::to_string(found->id);
  principal.csrf_token = Secret(found->csrf_token);
  if (found->totp_enrollment_required) {
    principal.totp_enrollment_required = true;
    principal.permissions.clear();
  }
  principals_.store(cache_key(hash), principal, generation,
                    std::min(found->expires_at_ms, last_seen + config_.session_idle_ms));
  return principal;
}

Status AuthServiceImpl::logout(const Principal& caller, const ClientInfo& client) {
  if (caller.kind != CredentialKind::kSession) return ok();
  const auto id = parse_id(caller.credential_id);
  if (!id) return internal_error("malformed session id in principal");
  Autocommit connection(db_);
  SENTINEL_TRY(store::SessionRepository(connection).remove(*id));
  update_session_gauge();
  audit(caller.username, "auth.logout", "session:" + caller.credential_id, client, "success");
  return ok();
}

std::optional<Principal> AuthServiceImpl::cached_session(const Secret& session_id) {
  if (session_id.empty()) return std::nullopt;
  return principals_.find(cache_key(crypto::sha256_hex(session_id.reveal())));
}

Result<Identity> AuthServiceImpl::identity(const Principal& caller) {
  if (auto cached = cached_identity(caller)) return std::move(*cached);
  const std::uint64_t generation = principals_.generation();
  Autocommit connection(db_);
  SENTINEL_ASSIGN(user, load_user(connection, caller.user_id));
  UserView view = user_view(user);
  principals_.store_user(view, generation);
  return Identity{std::move(view), caller.permissions, caller.totp_enrollment_required};
}

std::optional<Identity> AuthServiceImpl::cached_identity(const Principal& caller) {
  auto user = principals_.find_user(caller.user_id);
  if (!user) return std::nullopt;
  return Identity{std::move(*user), caller.permissions, caller.totp_enrollment_required};
}

Status AuthServiceImpl::change_password(const Principal& caller, const Secret& current,
                                        const Secret& next, const ClientInfo& client) {
  SENTINEL_TRY(require_session(caller));
  Autocommit connection(db_);
  SENTINEL_ASSIGN(user, load_user(connection, caller.user_id));
  auto verified = check_password(user, current, "current_password");
  if (!verified) {
    audit(caller.username, "user.password_change", "user:" + std::to_string(user.id), client,
          "failure");
    return verified;
  }
  auto policy = check_password_policy(next, user.username);
  if (!policy) {
    Error error = std::move(policy).error();
    error.field = "new_password";
    return error;
  }
  SENTINEL_ASSIGN(hash, hasher_.hash(next));
  const auto keep = parse_id(caller.credential_id);
  SENTINEL_TRY(db_.transact([&](store::Connection& tx) -> Status {
    SENTINEL_TRY(store::UserRepository(tx).set_password_hash(user.id, hash, clock_.now_ms()));
    SENTINEL_TRY(store::SessionRepository(tx).remove_for_user(user.id, keep));
    return ok();
  }));
  update_session_gauge();
  audit(caller.username, "user.password_change", "user:" + std::to_string(user.id), client,
        "success");
  return ok();
}

Result<std::vector<SessionView>> AuthServiceImpl::list_sessions(const Principal& caller, bool all) {
  if (all && !caller.has("sessions:admin")) {
    return permission_denied("Listing everyone's sessions needs \"sessions:admin\".");
  }
  Autocommit connection(db_);
  const std::int64_t now = clock_.now_ms();
  SENTINEL_ASSIGN(
      records, store::SessionRepository(connection)
                   .list_live(all ? std::nullopt : std::optional<std::int64_t>(caller.user_id), now,
                              now - config_.session_idle_ms));
  std::vector<SessionView> views;
  views.reserve(records.size());
  for (const auto& record : records) {
    const std::string id = std::to_string(record.id);
    views.push_back(
        {record.id, record.user_id, record.username, record.created_at_ms, record.last_seen_at_ms,
         std::min(record.expires_at_ms, record.last_seen_at_ms + config_.session_idle_ms),
         record.source_address, record.user_agent,
         caller.kind == CredentialKind::kSession && caller.credential_id == id});
  }
  return views;
}

Status AuthServiceImpl::revoke_session(const Principal& caller, std::int64_t id,
                                       const ClientInfo& client) {
  Autocommit connection(db_);
  store::SessionRepository sessions(connection);
  SENTINEL_ASSIGN(found, sessions.find_by_id(id));
  // Someone else's session is reported as missing, so that ids cannot be probed.
  if (!found || (found->user_id != caller.user_id && !caller.has("sessions:admin"))) {
    return not_found("No such session.");
  }
  SENTINEL_TRY(sessions.remove(id));
  update_session_gauge();
  audit(caller.username, "session.revoke", "session:" + std::to_string(id), client, "success",
        R"({"user_id":)" + std::to_string(found->user_id) + "}");
  return ok();
}

}  // namespace sentinel::auth
