#include "scan_plan.h"

#include <fmt/format.h>

#include "caching_resolver.h"
#include "port_spec.h"
#include "sentinel/common/crypto.h"
#include "sentinel/scan/udp_scanner.h"

namespace sentinel::scanner {
namespace {

// Offending targets named in one message at most; the rest are counted.
constexpr std::size_t kMaxNamedTargets = 20;
// Outside ranges shown per offending target at most.
constexpr std::size_t kMaxRangesPerTarget = 4;

std::string joined(const std::vector<std::string>& entries) {
  return fmt::format("{}", fmt::join(entries, ","));
}

scan::TargetLimits limits() {
  scan::TargetLimits out;
  out.targets_field = "targets";
  out.exclude_field = "exclude";
  return out;
}

// "'10.0.0.0/24'" or "'db.example' (10.1.2.3)": the entry as the caller wrote it and, when
// that is not already plain, the addresses of it that lie outside.
std::string describe(const std::string& entry, const std::vector<scan::AddressRange>& outside) {
  std::vector<std::string> ranges;
  for (std::size_t i = 0; i < outside.size() && i < kMaxRangesPerTarget; ++i) {
    ranges.push_back(outside[i].to_string());
  }
  if (outside.size() > kMaxRangesPerTarget) {
    ranges.push_back(fmt::format("{} more ranges", outside.size() - kMaxRangesPerTarget));
  }
  if (outside.size() == 1 && ranges.front() == entry) return fmt::format("'{}'", entry);
  return fmt::format("'{}' ({})", entry, fmt::join(ranges, ", "));
}

std::string scope_text(const scan::ScanScope& scope) {
  if (scope.ranges().empty()) return "none are configured (scanner.scopes, --scan-scope)";
  std::vector<std::string> ranges;
  for (const scan::AddressRange& range : scope.ranges()) ranges.push_back(range.to_string());
  return fmt::format("{}", fmt::join(ranges, ", "));
}

// Every target entry with addresses outside the scope, checked entry by entry so that the
// message names what the caller wrote.
Status check_scope(const ScanRequest& request, const scan::TargetSet& all,
                   const scan::ScanScope& scope, scan::HostResolver& resolver) {
  if (scope.outside(all).empty()) return ok();
  const std::string exclude = joined(request.exclude);
  std::vector<std::string> offending;
  std::size_t count = 0;
  for (const std::string& entry : request.targets) {
    auto set = scan::TargetSet::parse(entry, exclude, resolver, limits());
    if (!set) continue;  // an exclusion, or wholly excluded: reaches nothing
    const auto outside = scope.outside(*set);
    if (outside.empty()) continue;
    if (++count <= kMaxNamedTargets) offending.push_back(describe(entry, outside));
  }
  std::string message = fmt::format("targets outside the scan scopes ({}): {}", scope_text(scope),
                                    fmt::join(offending, ", "));
  if (count > kMaxNamedTargets) {
    message += fmt::format(" and {} more", count - kMaxNamedTargets);
  }
  return Error{ErrorCode::kInvalidArgument, std::move(message), "target_out_of_scope", "targets"};
}

}  // namespace

std::string scope_key_of(const scan::TargetSet& targets, const scan::PortList& ports) {
  std::string canonical;
  for (const scan::AddressRange& range : targets.ranges()) {
    canonical += range.first.to_string() + "-" + range.last.to_string() + ",";
  }
  canonical += "|";
  for (const std::uint16_t port : ports.tcp) canonical += std::to_string(port) + ",";
  // Only a list with UDP ports says so, so that TCP jobs keep the keys of the jobs before them.
  if (!ports.udp.empty()) {
    canonical += "|U:";
    for (const std::uint16_t port : ports.udp) canonical += std::to_string(port) + ",";
  }
  return crypto::sha256_hex(canonical);
}

Result<ScanPlan> plan_scan(const ScanRequest& request, const scan::ScanScope& scope,
                           scan::HostResolver& resolver) {
  const std::string spec =
      !request.ports.empty()
          ? request.ports
          : std::string(port_spec_of(request.profile.value_or(ScanProfile::kStandard)));
  SENTINEL_ASSIGN(ports, expand_port_spec(spec));

  // The per-entry scope check parses the entries again and must see the same addresses.
  CachingResolver cache(resolver);
  SENTINEL_ASSIGN(targets, scan::TargetSet::parse(joined(request.targets), joined(request.exclude),
                                                  cache, limits()));
  SENTINEL_TRY(check_scope(request, targets, scope, cache));
  if (scan::needs_large_scan_confirmation(targets.size()) && !request.confirm_large) {
    return Error{ErrorCode::kInvalidArgument,
                 fmt::format("the targets cover {} addresses; a scan of more than {} needs "
                             "\"confirm_large\": true",
                             targets.size(), scan::kLargeScanAddresses),
                 "confirmation_required", "confirm_large"};
  }
  if (!ports.udp.empty() && !request.agents && targets.size() > scan::kMaxUdpScanTargets) {
    return invalid_argument(
        fmt::format("UDP ports are scanned on at most {} addresses by the server; the targets "
                    "cover {} (split the job, or name agents to scan it in shards)",
                    scan::kMaxUdpScanTargets, targets.size()),
        "ports");
  }
  std::string key = scope_key_of(targets, ports);
  return ScanPlan{std::move(targets), std::move(ports), spec, std::move(key)};
}

}  // namespace sentinel::scanner
