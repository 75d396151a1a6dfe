#pragma once
// API tokens for scripts (table api_tokens). The token is stored only as its SHA-256.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/store/database.h"

namespace sentinel::store {

/// A stored API token.
struct ApiTokenRecord {
  std::int64_t id = 0;
  std::string token_hash;  // SHA-256 hex of the full token
  std::int64_t user_id = 0;
  std::string username;        // filled on reads
  bool user_disabled = false;  // filled on reads
  std::string name;
  std::vector<std::string> permissions;  // sorted
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> expires_at_ms;
  std::optional<std::int64_t> last_used_at_ms;
  std::optional<std::int64_t> revoked_at_ms;
};

/// SQL access to API tokens over one connection. Not thread-safe.
class ApiTokenRepository {
 public:
  explicit ApiTokenRepository(Connection& connection) : connection_(connection) {}

  /// Returns the new token's id.
  Result<std::int64_t> insert(const ApiTokenRecord& token);
  Result<std::optional<ApiTokenRecord>> find_by_hash(std::string_view token_hash);
  Result<std::optional<ApiTokenRecord>> find_by_id(std::int64_t id);
  /// Tokens of one user or of everyone, newest first (revoked ones included).
  Result<std::vector<ApiTokenRecord>> list(std::optional<std::int64_t> user_id);
  Status touch(std::int64_t id, std::int64_t now_ms);
  /// False when there was no such unrevoked token.
  Result<bool> revoke(std::int64_t id, std::int64_t now_ms);
  /// Deletes every token of the user.
  Status remove_for_user(std::int64_t user_id);

 private:
  Result<std::vector<ApiTokenRecord>> read(std::string_view where, const Params& params);

  Connection& connection_;
};

}  // namespace sentinel::store
