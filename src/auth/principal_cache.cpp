#include "principal_cache.h"

#include <algorithm>
#include <limits>

namespace sentinel::auth {

template <typename Map, typename Key>
std::optional<typename Map::mapped_type::Cached> PrincipalCache::find_in(const Map& entries,
                                                                         const Key& key) const {
  if (lifetime_ms_ <= 0) return std::nullopt;
  const std::int64_t now = clock_.now_ms();
  std::lock_guard lock(mutex_);
  const auto it = entries.find(key);
  if (it == entries.end() || it->second.generation != generation_ ||
      it->second.fresh_until_ms <= now) {
    return std::nullopt;
  }
  return it->second.value;
}

template <typename Map, typename Key>
void PrincipalCache::store_in(Map& entries, const Key& key,
                              const typename Map::mapped_type::Cached& value,
                              std::uint64_t generation, std::int64_t expires_ms) {
  if (lifetime_ms_ <= 0) return;
  const std::int64_t fresh_until = std::min(clock_.now_ms() + lifetime_ms_, expires_ms);
  std::lock_guard lock(mutex_);
  if (generation != generation_) return;  // loaded before a change: possibly stale
  if (entries.size() >= capacity_) entries.clear();
  entries[key] = {value, generation, fresh_until};
}

std::uint64_t PrincipalCache::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

std::optional<Principal> PrincipalCache::find(const std::string& key) const {
  return find_in(entries_, key);
}

void PrincipalCache::store(const std::string& key, const Principal& principal,
                           std::uint64_t generation, std::int64_t credential_expires_ms) {
  store_in(entries_, key, principal, generation, credential_expires_ms);
}

std::optional<UserView> PrincipalCache::find_user(std::int64_t user_id) const {
  return find_in(users_, user_id);
}

void PrincipalCache::store_user(const UserView& user, std::uint64_t generation) {
  store_in(users_, user.id, user, generation, std::numeric_limits<std::int64_t>::max());
}

void PrincipalCache::invalidate_all() {
  std::lock_guard lock(mutex_);
  ++generation_;
  entries_.clear();
  users_.clear();
}

}  // namespace sentinel::auth
