#pragma once
// From a scan request to what the engine runs: targets resolved once and checked against the
// scopes, the confirmation of large scans, the port list.

#include <cstdint>
#include <string>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/host_resolver.h"
#include "sentinel/scan/port_list.h"
#include "sentinel/scan/scan_scope.h"
#include "sentinel/scan/target_set.h"
#include "sentinel/scanner/scan_job.h"

namespace sentinel::scanner {

/// A checked scan, ready to queue. A plain value.
struct ScanPlan {
  scan::TargetSet targets;
  scan::PortList ports;   // TCP and UDP
  std::string port_spec;  // the request's, or its profile's, or "top1000"
  std::string scope_key;  // hex SHA-256 of the canonical ranges and ports
};

/// Resolves `request`'s targets (host names once each, through `resolver`) and checks them:
/// kInvalidArgument for bad syntax (field "targets" or "exclude"); with reason
/// "target_out_of_scope" (field "targets") naming every target entry that reaches outside
/// `scope`, with the addresses outside; with reason "confirmation_required" (field
/// "confirm_large") for more than scan::kLargeScanAddresses addresses unless confirmed; UDP ports
/// on more than scan::kMaxUdpScanTargets addresses are refused (field "ports") unless agents
/// scan the job in shards. Blocks on name resolution; thread-safe when `resolver` is.
Result<ScanPlan> plan_scan(const ScanRequest& request, const scan::ScanScope& scope,
                           scan::HostResolver& resolver);

/// The key of "the same targets and ports": equal for equal address sets and port lists (a
/// list of TCP ports only keys as it did before UDP could be scanned).
std::string scope_key_of(const scan::TargetSet& targets, const scan::PortList& ports);

}  // namespace sentinel::scanner
