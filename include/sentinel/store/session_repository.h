#pragma once
// Login sessions (table sessions). The cookie value is stored only as its SHA-256.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/store/database.h"

namespace sentinel::store {

/// A stored session.
struct SessionRecord {
  std::int64_t id = 0;
  std::string token_hash;  // SHA-256 hex of the cookie value
  std::int64_t user_id = 0;
  std::string username;        // filled on reads
  bool user_disabled = false;  // filled on reads
  std::string csrf_token;
  std::int64_t created_at_ms = 0;
  std::int64_t last_seen_at_ms = 0;
  std::int64_t expires_at_ms = 0;  // absolute expiry
  std::string source_address;
  std::string user_agent;
  bool totp_enrollment_required = false;
};

/// SQL access to sessions over one connection. Not thread-safe.
class SessionRepository {
 public:
  explicit SessionRepository(Connection& connection) : connection_(connection) {}

  /// Returns the new session's id.
  Result<std::int64_t> insert(const SessionRecord& session);
  Result<std::optional<SessionRecord>> find_by_token_hash(std::string_view token_hash);
  Result<std::optional<SessionRecord>> find_by_id(std::int64_t id);
  /// Live sessions (absolute expiry after `now_ms`, last seen after `idle_cutoff_ms`), of one
  /// user or of everyone, newest first.
  Result<std::vector<SessionRecord>> list_live(std::optional<std::int64_t> user_id,
                                               std::int64_t now_ms, std::int64_t idle_cutoff_ms);
  Result<std::int64_t> count_live(std::int64_t now_ms, std::int64_t idle_cutoff_ms);
  Status touch(std::int64_t id, std::int64_t now_ms);
  /// False when there was no such session.
  Result<bool> remove(std::int64_t id);
  /// Deletes every session of the user except `keep_id`; returns how many.
  Result<std::int64_t> remove_for_user(std::int64_t user_id,
                                       std::optional<std::int64_t> keep_id = std::nullopt);
  /// Deletes sessions past either expiry; returns how many.
  Result<std::int64_t> remove_expired(std::int64_t now_ms, std::int64_t idle_cutoff_ms);
  /// Clears the enrolment restriction on the user's sessions once 2FA is on.
  Status clear_enrollment_required(std::int64_t user_id);

 private:
  Result<std::vector<SessionRecord>> read(std::string_view where, const Params& params);

  Connection& connection_;
};

}  // namespace sentinel::store
