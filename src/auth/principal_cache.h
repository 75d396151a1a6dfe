#pragma once
// A short-lived cache of authenticated callers, so that an API request costs no database round
// trip for its credentials.
//
// Correctness: every state change the auth service makes is audited, and auditing invalidates the
// whole cache (a generation counter) after the change is committed; an entry loaded before the
// change carries the old generation and is never served. Changes made by another replica are
// seen within the entry lifetime (one second by default). Entries also end at the credential's
// own expiry.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "sentinel/auth/principal.h"
#include "sentinel/common/clock.h"

namespace sentinel::auth {

/// Thread-safe; bounded to `capacity` entries (cleared whole when full).
class PrincipalCache {
 public:
  PrincipalCache(const Clock& clock, std::int64_t lifetime_ms, std::size_t capacity)
      : clock_(clock), lifetime_ms_(lifetime_ms), capacity_(capacity) {}

  /// Read before loading a principal; pass to store().
  std::uint64_t generation() const;
  /// The cached principal for `key` (a credential hash), if fresh.
  std::optional<Principal> find(const std::string& key) const;
  /// Caches `principal` until the lifetime ends or `credential_expires_ms`, whichever is first,
  /// unless the cache was invalidated since `generation` was read.
  void store(const std::string& key, const Principal& principal, std::uint64_t generation,
             std::int64_t credential_expires_ms);
  /// Drops every entry.
  void invalidate_all();

 private:
  struct Entry {
    Principal principal;
    std::uint64_t generation = 0;
    std::int64_t fresh_until_ms = 0;
  };

  const Clock& clock_;
  const std::int64_t lifetime_ms_;
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::uint64_t generation_ = 0;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace sentinel::auth
