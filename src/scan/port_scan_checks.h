#pragma once
// The checks every port scanner makes before its first packet, in one place.

#include <cstdint>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/port_scanner.h"
#include "sentinel/scan/scan_scope.h"
#include "sentinel/scan/target_set.h"

namespace sentinel::scan {

/// Retransmissions allowed per probe at most.
inline constexpr int kMaxRetries = 10;

/// Refuses targets outside `scope` (kPermissionDenied naming up to 20 ranges outside), an empty
/// target set, and limits out of range (kInvalidArgument naming the field).
Status check_scan_plan(const TargetSet& targets, const ScanScope& scope, const ScanLimits& limits);

/// Sorts and de-duplicates `ports` (of `protocol`, for the message), then refuses an empty list,
/// port 0, and more pairs than a 64-bit index holds.
Status check_port_list(const TargetSet& targets, std::vector<std::uint16_t>& ports,
                       Protocol protocol = Protocol::kTcp);

}  // namespace sentinel::scan
