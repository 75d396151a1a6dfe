#pragma once
// Who is making a request, as the gateway resolved it.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/common/secret.h"

namespace sentinel::auth {

/// How the caller proved who they are.
enum class CredentialKind { kSession, kApiToken };

/// An authenticated caller: a user, through a session cookie or an API token.
struct Principal {
  std::int64_t user_id = 0;
  std::string username;
  std::vector<std::string> roles;
  /// Effective permissions: the user's, narrowed to the token's scope for API tokens.
  std::set<std::string, std::less<>> permissions;
  CredentialKind kind = CredentialKind::kSession;
  /// Session id (kSession) or token id (kApiToken) as stored, never the secret itself.
  std::string credential_id;
  /// The session's CSRF token (kSession only).
  Secret csrf_token;
  /// The user's role requires 2FA and none is enrolled yet: `permissions` is empty and only
  /// /api/v1/auth/me, /api/v1/auth/logout and /api/v1/auth/totp/* may be served.
  bool totp_enrollment_required = false;

  bool has(std::string_view permission) const { return permissions.count(permission) != 0; }
};

/// Resolves credentials to a Principal. Implemented by the auth service; used by the gateway.
/// Thread-safe.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  /// A session cookie value; kUnauthenticated when unknown, expired or its user is disabled.
  /// Touches the session's idle timer.
  virtual Result<Principal> authenticate_session(const Secret& session_id,
                                                 std::string_view source_address) = 0;
  /// A bearer API token; kUnauthenticated when unknown, expired, revoked or its user disabled.
  /// Records last-used time.
  virtual Result<Principal> authenticate_token(const Secret& token,
                                               std::string_view source_address) = 0;
  /// What authenticate_session() would return now, when it can be answered from memory without
  /// blocking (a cached principal), so that the gateway may serve the request on its I/O thread;
  /// nullopt when it needs the database (or the credentials are not valid): call the blocking one.
  virtual std::optional<Principal> cached_session(const Secret& /*session_id*/) {
    return std::nullopt;
  }
  /// As cached_session(), for authenticate_token().
  virtual std::optional<Principal> cached_token(const Secret& /*token*/) { return std::nullopt; }
};

}  // namespace sentinel::auth
