#pragma once
// Brute-force throttling per account and per source address, on counters in the database so
// that every replica sees the same failures.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/auth/auth_config.h"
#include "sentinel/common/clock.h"
#include "sentinel/store/database.h"

namespace sentinel::auth {

/// From the `threshold`-th failure on, each failure locks the key for 2^(failures - threshold)
/// seconds, capped at `lockout_max_seconds`; the count restarts after a window without
/// failures. Locked attempts are refused before the password is checked and do not count.
/// Stateless; thread-safe.
class LoginThrottle {
 public:
  LoginThrottle(const AuthConfig& config, const Clock& clock) : config_(config), clock_(clock) {}

  static std::string account_key(std::string_view username);
  /// An IPv4 address (also written IPv4-mapped) is one source; an IPv6 address counts as its
  /// /64, which one host usually holds whole.
  static std::string source_key(std::string_view address);

  /// Whole seconds until the last of `keys` unlocks; 0 when none is locked.
  Result<std::int64_t> seconds_locked(store::Connection& connection,
                                      const std::vector<std::string>& keys) const;
  /// Counts a failure against each key and locks those past the threshold.
  Status record_failure(store::Connection& connection, const std::vector<std::string>& keys) const;
  Status clear(store::Connection& connection, std::string_view key) const;

 private:
  const AuthConfig& config_;
  const Clock& clock_;
};

}  // namespace sentinel::auth
