#pragma once
// Host names resolved once per request: a request parses its targets more than once (as a
// whole, then entry by entry), and each parse must see the same addresses and not ask DNS again.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "sentinel/scan/host_resolver.h"

namespace sentinel::scanner {

/// Asks `inner` once per name and answers again from memory, failures included. Lives for one
/// request; `inner` must outlive it. Thread-safe.
class CachingResolver final : public scan::HostResolver {
 public:
  explicit CachingResolver(scan::HostResolver& inner) : inner_(inner) {}

  Result<std::vector<scan::IpAddress>> resolve(const std::string& name) override;

 private:
  scan::HostResolver& inner_;
  std::mutex mutex_;
  std::map<std::string, Result<std::vector<scan::IpAddress>>> cache_;
};

}  // namespace sentinel::scanner
