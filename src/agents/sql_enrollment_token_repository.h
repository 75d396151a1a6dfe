#pragma once
// The enrollment_tokens table in portable SQL (SQLite, PostgreSQL).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/agents/enrollment.h"
#include "sentinel/store/database.h"

namespace sentinel::agents {

/// A token that was just used: where its agent goes.
struct RedeemedToken {
  std::int64_t id = 0;
  Placement placement;
};

/// Statements over one connection (a transaction or autocommit). Not thread-safe, like it.
class SqlEnrollmentTokenRepository {
 public:
  explicit SqlEnrollmentTokenRepository(store::Connection& connection) : connection_(connection) {}

  /// Stores a token by its hash; returns its id. `view.state` and use fields are ignored.
  Result<std::int64_t> insert(std::string_view token_hash, const EnrollmentTokenView& view);
  /// Newest first, state evaluated at `now_ms`.
  Result<std::vector<EnrollmentTokenView>> list(std::int64_t now_ms, std::int64_t limit);
  Result<std::optional<EnrollmentTokenView>> find(std::int64_t id, std::int64_t now_ms);
  /// True when a token with `token_hash` could be used at `now_ms` (a read, no lock).
  Result<bool> usable(std::string_view token_hash, std::int64_t now_ms);
  /// Marks the token used by `agent_id` in one statement, only if it is unused, unrevoked and
  /// unexpired at `now_ms`: of two racing calls at most one gets a value.
  Result<std::optional<RedeemedToken>> redeem(std::string_view token_hash,
                                              std::string_view agent_id, std::int64_t now_ms);
  /// Revokes an unused, unrevoked token. False when it was not such a token.
  Result<bool> revoke(std::int64_t id, std::int64_t now_ms);

 private:
  store::Connection& connection_;
};

}  // namespace sentinel::agents
