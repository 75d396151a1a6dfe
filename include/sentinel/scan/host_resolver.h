#pragma once
// Host name resolution as a collaborator, so that target parsing is testable without DNS.

#include <string>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/ip_address.h"

namespace sentinel::scan {

/// Resolves host names to addresses. Implementations may block; they are called once per
/// distinct name while a target set is parsed.
class HostResolver {
 public:
  virtual ~HostResolver() = default;
  /// Every address `name` resolves to (IPv4 and IPv6). kNotFound when the name does not exist,
  /// kUnavailable when the resolver could not answer.
  virtual Result<std::vector<IpAddress>> resolve(const std::string& name) = 0;
};

/// getaddrinfo(3) with the system's configuration (/etc/hosts, DNS). Stateless and thread-safe.
class SystemHostResolver final : public HostResolver {
 public:
  Result<std::vector<IpAddress>> resolve(const std::string& name) override;
};

}  // namespace sentinel::scan
