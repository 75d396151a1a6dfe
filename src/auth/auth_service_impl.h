#pragma once
// The SQL-backed AuthService. Its methods live in one file per area: login.cpp, sessions.cpp,
// tokens.cpp, users.cpp, roles.cpp, totp_enrolment.cpp; shared helpers in auth_service_impl.cpp.

#include <spdlog/logger.h>

#include <memory>
#include <set>
#include <string>

#include "autocommit.h"
#include "login_throttle.h"
#include "principal_cache.h"
#include "sentinel/auth/auth_service.h"
#include "sentinel/auth/password_hasher.h"
#include "sentinel/store/user_repository.h"

namespace sentinel::auth {

/// See AuthService. Holds no mutable state of its own: everything is in the database.
class AuthServiceImpl final : public AuthService {
 public:
  AuthServiceImpl(store::Database& db, AuditLog& audit, MetricsRegistry& metrics,
                  const Clock& clock, AuthConfig config);

  Result<Principal> authenticate_session(const Secret& session_id,
                                         std::string_view source_address) override;
  Result<Principal> authenticate_token(const Secret& token,
                                       std::string_view source_address) override;
  std::optional<Principal> cached_session(const Secret& session_id) override;
  std::optional<Principal> cached_token(const Secret& token) override;

  Result<std::optional<Secret>> ensure_admin(std::optional<Secret> password) override;

  LoginOutcome login(const LoginRequest& request, const ClientInfo& client) override;
  Status logout(const Principal& caller, const ClientInfo& client) override;
  Result<Identity> identity(const Principal& caller) override;
  std::optional<Identity> cached_identity(const Principal& caller) override;
  Status change_password(const Principal& caller, const Secret& current, const Secret& next,
                         const ClientInfo& client) override;

  Result<TotpSetup> begin_totp_setup(const Principal& caller, const ClientInfo& client) override;
  Result<std::vector<Secret>> confirm_totp(const Principal& caller, std::string_view code,
                                           const ClientInfo& client) override;
  Status disable_totp(const Principal& caller, const Secret& password,
                      const ClientInfo& client) override;
  Result<std::vector<Secret>> regenerate_recovery_codes(const Principal& caller,
                                                        const Secret& password,
                                                        const ClientInfo& client) override;
  Status reset_totp(const Principal& caller, std::int64_t user_id,
                    const ClientInfo& client) override;

  Result<std::vector<UserView>> list_users() override;
  Result<UserView> get_user(std::int64_t id) override;
  Result<Identity> identity_of(std::int64_t user_id) override;
  Result<UserView> create_user(const Principal& caller, const NewUser& user,
                               const ClientInfo& client) override;
  Result<UserView> update_user(const Principal& caller, std::int64_t id, const UserUpdate& update,
                               const ClientInfo& client) override;
  Status delete_user(const Principal& caller, std::int64_t id, const ClientInfo& client) override;
  Status unlock_user(const Principal& caller, std::int64_t id, const ClientInfo& client) override;

  Result<std::vector<RoleView>> list_roles() override;
  Result<RoleView> create_role(const Principal& caller, const RoleView& role,
                               const ClientInfo& client) override;
  Result<RoleView> update_role(const Principal& caller, std::string_view name,
                               const RoleUpdate& update, const ClientInfo& client) override;
  Status delete_role(const Principal& caller, std::string_view name,
                     const ClientInfo& client) override;
  Result<AuthSettings> settings() override;
  Result<AuthSettings> update_settings(const Principal& caller, const AuthSettings& settings,
                                       const ClientInfo& client) override;

  Result<std::vector<SessionView>> list_sessions(const Principal& caller, bool all) override;
  Status revoke_session(const Principal& caller, std::int64_t id,
                        const ClientInfo& client) override;

  Result<CreatedToken> create_token(const Principal& caller, const TokenSpec& spec,
                                    const ClientInfo& client) override;
  Result<std::vector<TokenView>> list_tokens(const Principal& caller, bool all) override;
  Status revoke_token(const Principal& caller, std::int64_t id, const ClientInfo& client) override;

  /// Writes the built-in roles from permissions.h.
  Status seed_builtin_roles();

 private:
  // Login steps (login.cpp).
  Result<LoginResult> attempt_login(const LoginRequest& request, const ClientInfo& client,
                                    const std::vector<std::string>& throttle_keys);
  /// Checks the TOTP or recovery code of a user with 2FA on; returns which kind was used.
  Result<std::string> check_second_factor(const store::UserRecord& user,
                                          const LoginRequest& request);
  Result<LoginResult> start_session(const store::UserRecord& user, const ClientInfo& client);
  void count_login(std::string_view outcome);

  // Shared helpers (auth_service_impl.cpp).
  /// A principal with the user's roles and the union of their permissions (credential fields
  /// left for the caller to fill).
  Result<Principal> principal_of(store::Connection& connection, std::int64_t user_id,
                                 std::string username);
  /// kPermissionDenied unless every role newly given (in `roles`, not in `current`) grants only
  /// permissions the caller holds, so that nobody can hand out more than they have.
  Status check_assignable_roles(store::Connection& connection, const Principal& caller,
                                const std::vector<std::string>& roles,
                                const std::vector<std::string>& current);
  /// True when one of `roles` is listed in require_2fa_roles.
  Result<bool> roles_require_2fa(store::Connection& connection,
                                 const std::vector<std::string>& roles);
  /// The setting "require_2fa_roles": roles whose users must enrol TOTP.
  Result<std::vector<std::string>> require_2fa_roles(store::Connection& connection);
  Status put_require_2fa_roles(store::Connection& connection,
                               const std::vector<std::string>& roles);
  /// kInvalidArgument (field "roles") unless every role exists and there is at least one.
  Status check_roles_exist(store::Connection& connection, const std::vector<std::string>& roles);
  /// The user, or kNotFound.
  Result<store::UserRecord> load_user(store::Connection& connection, std::int64_t id);
  /// The caller, re-proved by password, whose 2FA is on: for changes to an enrolled 2FA.
  Result<store::UserRecord> reverify_totp_owner(store::Connection& connection,
                                                const Principal& caller, const Secret& password);
  /// Removes a user's TOTP secret and recovery codes in one transaction.
  Status clear_totp(std::int64_t user_id);
  /// kInvalidArgument (field `field`) unless `password` is the user's password; failures count
  /// against the account's login throttle and a locked account gets kRateLimited.
  Status check_password(const store::UserRecord& user, const Secret& password,
                        std::string_view field);
  /// kPermissionDenied for API tokens: the action needs an interactive session.
  static Status require_session(const Principal& caller);
  /// Records an audit entry; a failure to record is logged, not returned.
  void audit(std::string_view actor, std::string_view action, std::string_view target,
             const ClientInfo& client, std::string_view outcome, std::string details_json = "{}");
  void update_session_gauge();

  store::Database& db_;
  AuditLog& audit_;
  MetricsRegistry& metrics_;
  const Clock& clock_;
  const AuthConfig config_;
  const PasswordHasher hasher_;
  const LoginThrottle throttle_;
  /// A hash of a random password, verified against for unknown users so that they take as long.
  std::string dummy_hash_;
  PrincipalCache principals_;
  std::shared_ptr<spdlog::logger> logger_;
};

/// The API view of a stored user.
UserView user_view(const store::UserRecord& user);

/// The minimum interval between writes of last-seen / last-used times.
inline constexpr std::int64_t kTouchIntervalMs = 5000;

}  // namespace sentinel::auth
