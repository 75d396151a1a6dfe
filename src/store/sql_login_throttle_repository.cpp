#include "sentinel/store/login_throttle_repository.h"

namespace sentinel::store {

Result<std::optional<ThrottleState>> LoginThrottleRepository::find(std::string_view key) {
  SENTINEL_ASSIGN(
      rows, connection_.query("SELECT failures, window_start, locked_until FROM login_throttle "
                              "WHERE key = $1",
                              {std::string(key)}));
  if (rows.empty()) return std::optional<ThrottleState>();
  return std::optional<ThrottleState>(
      ThrottleState{rows.front().integer(0), rows.front().integer(1), rows.front().integer(2)});
}

Result<ThrottleState> LoginThrottleRepository::add_failure(std::string_view key,
                                                           std::int64_t now_ms,
                                                           std::int64_t window_floor_ms) {
  // One upsert, so that concurrent failures on several replicas all count.
  SENTINEL_ASSIGN(
      rows,
      connection_.query("INSERT INTO login_throttle (key, failures, window_start, locked_until) "
                        "VALUES ($1, 1, $2, 0) ON CONFLICT (key) DO UPDATE SET "
                        "failures = CASE WHEN login_throttle.window_start < $3 THEN 1 "
                        "ELSE login_throttle.failures + 1 END, "
                        "window_start = $4 "
                        "RETURNING failures, window_start, locked_until",
                        {std::string(key), now_ms, window_floor_ms, now_ms}));
  if (rows.empty()) return internal_error("login_throttle upsert returned no row");
  return ThrottleState{rows.front().integer(0), rows.front().integer(1), rows.front().integer(2)};
}

Status LoginThrottleRepository::lock_until(std::string_view key, std::int64_t until_ms) {
  SENTINEL_TRY(connection_.execute("UPDATE login_throttle SET locked_until = $1 WHERE key = $2",
                                   {until_ms, std::string(key)}));
  return ok();
}

Status LoginThrottleRepository::clear(std::string_view key) {
  SENTINEL_TRY(
      connection_.execute("DELETE FROM login_throttle WHERE key = $1", {std::string(key)}));
  return ok();
}

}  // namespace sentinel::store
