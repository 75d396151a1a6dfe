#pragma once
// Failed-login counters per key ("account:NAME", "source:ADDRESS"), shared by every replica
// through the database (table login_throttle).

#include <cstdint>
#include <optional>
#include <string_view>

#include "sentinel/store/database.h"

namespace sentinel::store {

/// One key's counter.
struct ThrottleState {
  std::int64_t failures = 0;
  std::int64_t window_start_ms = 0;  // the latest failure: the window slides with each one
  std::int64_t locked_until_ms = 0;
};

/// SQL access to the counters over one connection. Not thread-safe.
class LoginThrottleRepository {
 public:
  explicit LoginThrottleRepository(Connection& connection) : connection_(connection) {}

  Result<std::optional<ThrottleState>> find(std::string_view key);
  /// Counts one failure atomically (safe against concurrent replicas): restarts the count when
  /// the previous failure was before `window_floor_ms`. Returns the state after the increment.
  Result<ThrottleState> add_failure(std::string_view key, std::int64_t now_ms,
                                    std::int64_t window_floor_ms);
  Status lock_until(std::string_view key, std::int64_t until_ms);
  Status clear(std::string_view key);

 private:
  Connection& connection_;
};

}  // namespace sentinel::store
