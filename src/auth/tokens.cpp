// API tokens: creation with a subset of the caller's permissions, authentication, revocation.

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <limits>

#include "auth_service_impl.h"
#include "sentinel/auth/permissions.h"
#include "sentinel/common/crypto.h"
#include "sentinel/store/api_token_repository.h"

namespace sentinel::auth {
namespace {

constexpr std::string_view kTokenPrefix = "sst_";
constexpr std::int64_t kMaxTokenDays = 3650;
constexpr std::int64_t kDayMs = 24 * 60 * 60 * 1000;

Error token_invalid() { return unauthenticated("The API token is not valid."); }

std::string cache_key(std::string_view token_hash) { return "t:" + std::string(token_hash); }

TokenView token_view(const store::ApiTokenRecord& record) {
  return {record.id,
          record.user_id,
          record.username,
          record.name,
          record.permissions,
          record.created_at_ms,
          record.expires_at_ms,
          record.last_used_at_ms,
          record.revoked_at_ms.has_value()};
}

}  // namespace

Result<Principal> AuthServiceImpl::authenticate_token(const Secret& token,
                                                      std::string_view source_address) {
  if (!token.reveal().starts_with(kTokenPrefix)) return token_invalid();
  const std::string hash = crypto::sha256_hex(token.reveal());
  if (auto cached = principals_.find(cache_key(hash))) return std::move(*cached);
  const std::uint64_t generation = principals_.generation();
  Autocommit connection(db_);
  store::ApiTokenRepository tokens(connection);
  SENTINEL_ASSIGN(found, tokens.find_by_hash(hash));
  const std::int64_t now = clock_.now_ms();
  if (!found || found->revoked_at_ms || found->user_disabled ||
      (found->expires_at_ms && *found->expires_at_ms <= now)) {
    return token_invalid();
  }
  // A role of the user's that requires two factors holds for their tokens too: until they set
  // one up, a login of theirs gets only an enrolment session, and a token gets nothing.
  SENTINEL_ASSIGN(user, load_user(connection, found->user_id));
  SENTINEL_ASSIGN(role_requires_2fa, roles_require_2fa(connection, user.roles));
  if (role_requires_2fa && !user.totp_enabled) {
    return unauthenticated(
        "The API token's user must set up two-factor authentication first (a role of theirs "
        "requires it); the token works again once they have.");
  }
  if (!found->last_used_at_ms || now - *found->last_used_at_ms >= kTouchIntervalMs) {
    SENTINEL_TRY(tokens.touch(found->id, now));
  }
  SENTINEL_ASSIGN(principal, principal_of(connection, found->user_id, found->username));
  // The token's scope, narrowed again to what the user's roles grant today.
  std::set<std::string, std::less<>> effective;
  for (const auto& permission : found->permissions) {
    if (principal.has(permission)) effective.insert(permission);
  }
  principal.permissions = std::move(effective);
  principal.kind = CredentialKind::kApiToken;
  principal.credential_id = std::to_string(found->id);
  principals_.store(cache_key(hash), principal, generation,
                    found->expires_at_ms.value_or(std::numeric_limits<std::int64_t>::max()));
  return principal;
}

std::optional<Principal> AuthServiceImpl::cached_token(const Secret& token) {
  if (!token.reveal().starts_with(kTokenPrefix)) return std::nullopt;
  return principals_.find(cache_key(crypto::sha256_hex(token.reveal())));
}

Result<CreatedToken> AuthServiceImpl::create_token(const Principal& caller, const TokenSpec& spec,
                                                   const ClientInfo& client) {
  if (caller.totp_enrollment_required) {
    return permission_denied("Set up two-factor authentication first.");
  }
  if (spec.name.empty() || spec.name.size() > 64) {
    return invalid_argument("A token name has 1 to 64 characters.", "name");
  }
  if (spec.expires_in_days &&
      (*spec.expires_in_days < 1 || *spec.expires_in_days > kMaxTokenDays)) {
    return invalid_argument("expires_in_days must be between 1 and 3650.", "expires_in_days");
  }
  std::vector<std::string> permissions;
  if (spec.permissions) {
    for (const auto& permission : *spec.permissions) {
      if (!is_permission(permission)) {
        return invalid_argument("Unknown permission \"" + permission + "\".", "permissions");
      }
      if (!caller.has(permission)) {
        Error error =
            permission_denied("You cannot give a token \"" + permission + "\", which you lack.");
        error.field = "permissions";
        return error;
      }
      permissions.push_back(permission);
    }
  } else {
    permissions.assign(caller.permissions.begin(), caller.permissions.end());
  }
  std::sort(permissions.begin(), permissions.end());
  permissions.erase(std::unique(permissions.begin(), permissions.end()), permissions.end());

  const std::int64_t now = clock_.now_ms();
  CreatedToken created;
  created.token = Secret(std::string(kTokenPrefix) + crypto::random_token(32));
  store::ApiTokenRecord record;
  record.token_hash = crypto::sha256_hex(created.token.reveal());
  record.user_id = caller.user_id;
  record.username = caller.username;
  record.name = spec.name;
  record.permissions = permissions;
  record.created_at_ms = now;
  if (spec.expires_in_days) record.expires_at_ms = now + *spec.expires_in_days * kDayMs;
  Autocommit connection(db_);
  SENTINEL_ASSIGN(id, store::ApiTokenRepository(connection).insert(record));
  record.id = id;
  created.view = token_view(record);
  audit(caller.username, "token.create", "token:" + std::to_string(id), client, "success",
        R"({"name":)" + boost::json::serialize(boost::json::value(spec.name)) + "}");
  return created;
}

Result<std::vector<TokenView>> AuthServiceImpl::list_tokens(const Principal& caller, bool all) {
  if (all && !caller.has("tokens:admin")) {
    return permission_denied("Listing everyone's tokens needs \"tokens:admin\".");
  }
  Autocommit connection(db_);
  SENTINEL_ASSIGN(records,
                  store::ApiTokenRepository(connection)
                      .list(all ? std::nullopt : std::optional<std::int64_t>(caller.user_id)));
  std::vector<TokenView> views;
  views.reserve(records.size());
  for (const auto& record : records) views.push_back(token_view(record));
  return views;
}

Status AuthServiceImpl::revoke_token(const Principal& caller, std::int64_t id,
                                     const ClientInfo& client) {
  Autocommit connection(db_);
  store::ApiTokenRepository tokens(connection);
  SENTINEL_ASSIGN(found, tokens.find_by_id(id));
  if (!found || (found->user_id != caller.user_id && !caller.has("tokens:admin"))) {
    return not_found("No such token.");
  }
  SENTINEL_ASSIGN(revoked, tokens.revoke(id, clock_.now_ms()));
  if (revoked) {
    audit(caller.username, "token.revoke", "token:" + std::to_string(id), client, "success",
          R"({"user_id":)" + std::to_string(found->user_id) + "}");
  }
  return ok();
}

}  // namespace sentinel::auth
