#pragma once
// The auth service: users, passwords, TOTP, sessions, API tokens, roles, brute-force throttling.
// Every state change is recorded in the audit log with actor, source address and outcome.

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "sentinel/auth/audit_log.h"
#include "sentinel/auth/auth_config.h"
#include "sentinel/auth/auth_types.h"
#include "sentinel/auth/login_request.h"
#include "sentinel/auth/principal.h"
#include "sentinel/common/clock.h"
#include "sentinel/common/metrics.h"
#include "sentinel/store/database.h"

namespace sentinel::auth {

/// Identity and access management. Methods taking a `caller` act on the caller's behalf: routes
/// check the route permission, these methods check ownership and the rules that need data (last
/// admin, own session, permission subsets). All state lives in the database, so several replicas
/// can serve the same users. Thread-safe; blocking (database, argon2id): call it from workers.
class AuthService : public Authenticator {
 public:
  /// Seeds the built-in roles. The collaborators must outlive the service; the database must be
  /// migrated.
  static Result<std::unique_ptr<AuthService>> create(store::Database& db, AuditLog& audit,
                                                     MetricsRegistry& metrics, const Clock& clock,
                                                     AuthConfig config);

  /// On an empty user table creates `admin` (role admin) with `password`, or a generated one;
  /// returns the password used, or nullopt when users already exist.
  virtual Result<std::optional<Secret>> ensure_admin(std::optional<Secret> password) = 0;

  // Login and own account.
  /// Checks throttling, password and TOTP; on success starts a new session.
  virtual LoginOutcome login(const LoginRequest& request, const ClientInfo& client) = 0;
  /// Ends the caller's session (a no-op for API tokens).
  virtual Status logout(const Principal& caller, const ClientInfo& client) = 0;
  virtual Result<Identity> identity(const Principal& caller) = 0;
  /// What identity() would return now, when it can be answered from memory without blocking;
  /// nullopt when it needs the database.
  virtual std::optional<Identity> cached_identity(const Principal& /*caller*/) {
    return std::nullopt;
  }
  /// Changes the caller's password and ends the caller's other sessions.
  virtual Status change_password(const Principal& caller, const Secret& current, const Secret& next,
                                 const ClientInfo& client) = 0;

  // TOTP enrolment.
  /// Stores a new pending secret and returns it with its otpauth URI.
  virtual Result<TotpSetup> begin_totp_setup(const Principal& caller, const ClientInfo& client) = 0;
  /// Enables 2FA when `code` matches the pending secret; returns ten new recovery codes.
  virtual Result<std::vector<Secret>> confirm_totp(const Principal& caller, std::string_view code,
                                                   const ClientInfo& client) = 0;
  /// Turns the caller's 2FA off (password needed; refused when a role requires 2FA).
  virtual Status disable_totp(const Principal& caller, const Secret& password,
                              const ClientInfo& client) = 0;
  /// Replaces the caller's recovery codes (password needed).
  virtual Result<std::vector<Secret>> regenerate_recovery_codes(const Principal& caller,
                                                                const Secret& password,
                                                                const ClientInfo& client) = 0;
  /// Admin: turns a user's 2FA off.
  virtual Status reset_totp(const Principal& caller, std::int64_t user_id,
                            const ClientInfo& client) = 0;

  // Users.
  virtual Result<std::vector<UserView>> list_users() = 0;
  virtual Result<UserView> get_user(std::int64_t id) = 0;
  /// The user with this id (never reused: a user made again under a deleted user's name is
  /// another user) with the permissions their roles grant now, as a new session of theirs would
  /// hold them unless totp_enrollment_required (then a login of theirs gets only an enrolment
  /// session), for work done later in a user's name that must stop when the user may no longer
  /// do it (scheduled scans). kNotFound.
  virtual Result<Identity> identity_of(std::int64_t user_id) = 0;
  virtual Result<UserView> create_user(const Principal& caller, const NewUser& user,
                                       const ClientInfo& client) = 0;
  /// Refuses disabling oneself and removing, disabling or demoting the last enabled admin.
  /// Disabling or a new password ends the user's sessions.
  virtual Result<UserView> update_user(const Principal& caller, std::int64_t id,
                                       const UserUpdate& update, const ClientInfo& client) = 0;
  /// Deletes the user with its sessions and tokens; refuses oneself and the last enabled admin.
  virtual Status delete_user(const Principal& caller, std::int64_t id,
                             const ClientInfo& client) = 0;
  /// Clears the user's per-account login throttle (per-address locks expire by themselves).
  virtual Status unlock_user(const Principal& caller, std::int64_t id,
                             const ClientInfo& client) = 0;

  // Roles and settings.
  virtual Result<std::vector<RoleView>> list_roles() = 0;
  virtual Result<RoleView> create_role(const Principal& caller, const RoleView& role,
                                       const ClientInfo& client) = 0;
  virtual Result<RoleView> update_role(const Principal& caller, std::string_view name,
                                       const RoleUpdate& update, const ClientInfo& client) = 0;
  /// Refuses built-in roles and roles still assigned.
  virtual Status delete_role(const Principal& caller, std::string_view name,
                             const ClientInfo& client) = 0;
  virtual Result<AuthSettings> settings() = 0;
  virtual Result<AuthSettings> update_settings(const Principal& caller,
                                               const AuthSettings& settings,
                                               const ClientInfo& client) = 0;

  // Sessions.
  /// The caller's live sessions, or everyone's when `all` (needs "sessions:admin").
  virtual Result<std::vector<SessionView>> list_sessions(const Principal& caller, bool all) = 0;
  /// Ends one session: the caller's own, or anyone's with "sessions:admin".
  virtual Status revoke_session(const Principal& caller, std::int64_t id,
                                const ClientInfo& client) = 0;

  // API tokens.
  /// Creates a token with a subset of the caller's permissions.
  virtual Result<CreatedToken> create_token(const Principal& caller, const TokenSpec& spec,
                                            const ClientInfo& client) = 0;
  /// The caller's tokens, or everyone's when `all` (needs "tokens:admin").
  virtual Result<std::vector<TokenView>> list_tokens(const Principal& caller, bool all) = 0;
  /// Revokes a token: the caller's own, or anyone's with "tokens:admin".
  virtual Status revoke_token(const Principal& caller, std::int64_t id,
                              const ClientInfo& client) = 0;
};

}  // namespace sentinel::auth
