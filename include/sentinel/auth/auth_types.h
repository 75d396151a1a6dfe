#pragma once
// Values that the auth service takes and returns: users, roles, sessions, tokens, settings.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/common/secret.h"

namespace sentinel::auth {

/// Where a request came from, for throttling, sessions and the audit log.
struct ClientInfo {
  std::string source_address;
  std::string user_agent;
};

/// A user as the API shows it (no hashes, no secrets).
struct UserView {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  std::vector<std::string> roles;
  bool disabled = false;
  bool totp_enabled = false;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

/// The caller's own identity (GET /auth/me and the login answer).
struct Identity {
  UserView user;
  std::set<std::string, std::less<>> permissions;
  bool totp_enrollment_required = false;
};

/// A successful login: the cookie value and CSRF token are shown to the client once.
struct LoginResult {
  Secret session_token;
  Secret csrf_token;
  Identity identity;
  std::int64_t expires_at_ms = 0;  // absolute expiry
};

/// A login attempt's answer; `retry_after_s` is set when it was refused as locked out.
struct LoginOutcome {
  Result<LoginResult> result;
  std::int64_t retry_after_s = 0;
};

/// POST /users.
struct NewUser {
  std::string username;
  std::string display_name;
  Secret password;
  std::vector<std::string> roles;
};

/// PATCH /users/{id}: only the fields present change.
struct UserUpdate {
  std::optional<std::string> display_name;
  std::optional<std::vector<std::string>> roles;
  std::optional<bool> disabled;
  std::optional<Secret> password;
};

/// A role and its permissions.
struct RoleView {
  std::string name;
  std::string description;
  std::vector<std::string> permissions;
  bool builtin = false;
};

/// PATCH /roles/{name}: only the fields present change.
struct RoleUpdate {
  std::optional<std::string> description;
  std::optional<std::vector<std::string>> permissions;
};

/// A live session as its owner (or an admin) sees it; never the cookie value.
struct SessionView {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string username;
  std::int64_t created_at_ms = 0;
  std::int64_t last_seen_at_ms = 0;
  std::int64_t expires_at_ms = 0;  // the earlier of idle and absolute expiry
  std::string source_address;
  std::string user_agent;
  bool current = false;
};

/// POST /tokens.
struct TokenSpec {
  std::string name;
  std::optional<std::int64_t> expires_in_days;          // none: never expires
  std::optional<std::vector<std::string>> permissions;  // none: all of the caller's
};

/// An API token's metadata; never the token itself.
struct TokenView {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string username;
  std::string name;
  std::vector<std::string> permissions;
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> expires_at_ms;
  std::optional<std::int64_t> last_used_at_ms;
  bool revoked = false;
};

/// A new token: `token` is shown once and stored only as a hash.
struct CreatedToken {
  TokenView view;
  Secret token;
};

/// A started TOTP enrolment; both values contain the secret.
struct TotpSetup {
  Secret secret_base32;
  Secret otpauth_uri;
};

/// Auth settings: those editable at run time, and the session lifetimes shown beside them.
struct AuthSettings {
  /// Users holding any of these roles must enrol TOTP.
  std::vector<std::string> require_2fa_roles;
  /// Read-only, from AuthConfig (the server config): AuthService::update_settings ignores them.
  std::int64_t session_idle_ms = 0;
  std::int64_t session_absolute_ms = 0;
};

}  // namespace sentinel::auth
