#include "caching_resolver.h"

namespace sentinel::scanner {

Result<std::vector<scan::IpAddress>> CachingResolver::resolve(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto found = cache_.find(name);
  if (found == cache_.end()) found = cache_.emplace(name, inner_.resolve(name)).first;
  return found->second;
}

}  // namespace sentinel::scanner
