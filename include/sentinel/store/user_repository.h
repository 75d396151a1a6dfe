#pragma once
// Users, their role assignments, TOTP state and recovery codes (tables users, user_roles,
// recovery_codes).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/store/database.h"

namespace sentinel::store {

/// A stored user. Hashes and TOTP secrets are stored values, never logged.
struct UserRecord {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string password_hash;  // libsodium crypto_pwhash_str output
  bool disabled = false;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::string totp_secret;          // base32; empty when 2FA is off
  std::string totp_pending_secret;  // base32; set by setup, moved to totp_secret by confirm
  bool totp_enabled = false;
  std::optional<std::int64_t> totp_last_step;  // the last accepted TOTP step (replay guard)
  std::vector<std::string> roles;              // sorted
};

/// SQL access to users over one connection (so that callers compose it into transactions).
/// Not thread-safe, like the connection it wraps.
class UserRepository {
 public:
  explicit UserRepository(Connection& connection) : connection_(connection) {}

  /// Inserts the user and its roles; returns the new id. kConflict when the username is taken.
  Result<std::int64_t> insert(const UserRecord& user);
  Result<std::optional<UserRecord>> find_by_id(std::int64_t id);
  Result<std::optional<UserRecord>> find_by_username(std::string_view username);
  /// Every user, ordered by id.
  Result<std::vector<UserRecord>> list();
  Result<std::int64_t> count();
  /// Writes display name and disabled flag.
  Status update_profile(std::int64_t id, std::string_view display_name, bool disabled,
                        std::int64_t now_ms);
  /// Replaces the user's role assignments.
  Status set_roles(std::int64_t id, const std::vector<std::string>& roles);
  Status set_password_hash(std::int64_t id, std::string_view hash, std::int64_t now_ms);
  /// Stores a pending TOTP secret (enrolment started, not confirmed).
  Status set_totp_pending(std::int64_t id, std::string_view secret, std::int64_t now_ms);
  /// Turns 2FA on with the pending secret.
  Status enable_totp(std::int64_t id, std::int64_t now_ms);
  /// Turns 2FA off and forgets secrets and recovery codes.
  Status clear_totp(std::int64_t id, std::int64_t now_ms);
  /// Records `step` as used if it is newer than the last accepted one; false for a replay.
  Result<bool> advance_totp_step(std::int64_t id, std::int64_t step);
  /// Replaces the user's recovery codes with these SHA-256 hashes.
  Status replace_recovery_codes(std::int64_t id, const std::vector<std::string>& code_hashes);
  /// Marks an unused recovery code as used; false when unknown or already used.
  Result<bool> consume_recovery_code(std::int64_t id, std::string_view code_hash,
                                     std::int64_t now_ms);
  Result<std::int64_t> unused_recovery_codes(std::int64_t id);
  /// Users holding `role` that are enabled, not counting `except_id`.
  Result<std::int64_t> count_enabled_with_role(std::string_view role, std::int64_t except_id);
  /// Users holding `role`, enabled or not.
  Result<std::int64_t> count_with_role(std::string_view role);
  /// Deletes the user, its roles and recovery codes; false when there was no such user.
  Result<bool> remove(std::int64_t id);

 private:
  Result<std::vector<std::string>> roles_of(std::int64_t id);
  Result<std::vector<UserRecord>> read_users(const Rows& rows);

  Connection& connection_;
};

}  // namespace sentinel::store
