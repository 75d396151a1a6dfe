#include "principal_cache.h"

#include <algorithm>

namespace sentinel::auth {

std::uint64_t PrincipalCache::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

std::optional<Principal> PrincipalCache::find(const std::string& key) const {
  if (lifetime_ms_ <= 0) return std::nullopt;
  const std::int64_t now = clock_.now_ms();
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end() || it->second.generation != generation_ ||
      it->second.fresh_until_ms <= now) {
    return std::nullopt;
  }
  return it->second.principal;
}

void PrincipalCache::store(const std::string& key, const Principal& principal,
                           std::uint64_t generation, std::int64_t credential_expires_ms) {
  if (lifetime_ms_ <= 0) return;
  const std::int64_t fresh_until = std::min(clock_.now_ms() + lifetime_ms_, credential_expires_ms);
  std::lock_guard lock(mutex_);
  if (generation != generation_) return;  // loaded before a change: possibly stale
  if (entries_.size() >= capacity_) entries_.clear();
  entries_[key] = Entry{principal, generation, fresh_until};
}

void PrincipalCache::invalidate_all() {
  std::lock_guard lock(mutex_);
  ++generation_;
  entries_.clear();
}

}  // namespace sentinel::auth
