#pragma once
// A short-lived cache of authenticated callers, so that an API request costs no database round
// trip for its credentials.
//
// Correctness: every state change the auth service makes is audited, and auditing invalidates the
// whole cache (a generation counter) after the change is committed; an entry loaded before the
// change carries the old generation and is never served. Changes made by another replica are
// seen within the entry lifetime (one second by default). Entries also end at the credential's
// own expiry. The same rules hold for the cached user records that GET /auth/me shows.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "sentinel/auth/auth_types.h"
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
  /// The cached record of user `user_id`, if fresh.
  std::optional<UserView> find_user(std::int64_t user_id) const;
  /// Caches `user` for the lifetime unless the cache was invalidated since `generation` was read.
  void store_user(const UserView& user, std::uint64_t generation);
  /// Drops every entry.
  void invalidate_all();

 private:
  template <typename Value>
  struct Entry {
    using Cached = Value;
    Value value;
    std::uint64_t generation = 0;
    std::int64_t fresh_until_ms = 0;
  };
  // The two maps share the rules: these serve both.
  template <typename Map, typename Key>
  std::optional<typename Map::mapped_type::Cached> find_in(const Map& entries,
                                                           const Key& key) const;
  template <typename Map, typename Key>
  void store_in(Map& entries, const Key& key, const typename Map::mapped_type::Cached& value,
                std::uint64_t generation, std::int64_t expires_ms);

  const Clock& clock_;
  const std::int64_t lifetime_ms_;
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::uint64_t generation_ = 0;
  std::unordered_map<std::string, Entry<Principal>> entries_;
  std::unordered_map<std::int64_t, Entry<UserView>> users_;
};

}  // namespace sentinel::auth
