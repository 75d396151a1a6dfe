#include "port_scan_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <string>

namespace sentinel::scan {

Status check_scan_plan(const TargetSet& targets, const ScanScope& scope, const ScanLimits& limits) {
  const auto outside = scope.outside(targets);
  if (!outside.empty()) {
    std::string listed;
    for (std::size_t i = 0; i < outside.size() && i < 20; ++i) {
      listed += (i > 0 ? ", " : "") + outside[i].to_string();
    }
    if (outside.size() > 20) listed += fmt::format(" and {} more ranges", outside.size() - 20);
    return permission_denied("targets outside the allowed scan scopes: " + listed);
  }
  if (targets.empty()) return invalid_argument("no targets", "targets");
  if (limits.max_concurrency < 1) {
    return invalid_argument("max_concurrency must be at least 1", "max_concurrency");
  }
  if (limits.max_retries < 0 || limits.max_retries > kMaxRetries) {
    return invalid_argument("max_retries must be from 0 to 10", "max_retries");
  }
  if (!(limits.max_rate >= 0)) return invalid_argument("max_rate must not be negative", "max_rate");
  if (limits.rtt.min <= Duration{0} || limits.rtt.min > limits.rtt.max) {
    return invalid_argument("timeouts need 0 < min <= max", "timeouts");
  }
  return ok();
}

Status check_port_list(const TargetSet& targets, std::vector<std::uint16_t>& ports,
                       Protocol protocol) {
  std::sort(ports.begin(), ports.end());
  ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
  if (ports.empty()) {
    return invalid_argument(
        fmt::format("no {} ports to scan", protocol == Protocol::kTcp ? "TCP" : "UDP"), "ports");
  }
  if (ports.front() == 0) return invalid_argument("port 0 cannot be scanned", "ports");
  if (targets.size() > std::numeric_limits<std::uint64_t>::max() / ports.size()) {
    return invalid_argument("too many targets × ports", "targets");
  }
  return ok();
}

}  // namespace sentinel::scan
