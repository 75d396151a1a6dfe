#pragma once
// Tunables of the auth service, filled by the server from its config.

#include <cstdint>
#include <string>

#include "sentinel/auth/password_hasher.h"

namespace sentinel::auth {

/// Session lifetimes, brute-force throttling, the TOTP issuer and the argon2id cost.
struct AuthConfig {
  std::int64_t session_idle_ms = 30 * 60 * 1000;
  std::int64_t session_absolute_ms = 12 * 60 * 60 * 1000;
  /// From this many failures (without a quiet window between them) each failure locks the key.
  std::int64_t lockout_threshold = 5;
  std::int64_t lockout_window_ms = 15 * 60 * 1000;
  /// The lock after failure n (>= threshold) lasts base * 2^(n - threshold) s, capped at max, so
  /// that an attacker is slowed at once but can never lock an account for good.
  std::int64_t lockout_base_seconds = 30;
  std::int64_t lockout_max_seconds = 15 * 60;
  std::string totp_issuer = "SentinelSecure";
  /// How long an authenticated caller is served from memory (0: never). Changes made through this
  /// process apply at once; changes made by another replica within this time.
  std::int64_t principal_cache_ms = 1000;
  /// Production keeps libsodium's INTERACTIVE limits; only tests lower them.
  PasswordCost password_cost = PasswordCost::interactive();
};

}  // namespace sentinel::auth
