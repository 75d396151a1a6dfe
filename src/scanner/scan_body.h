#pragma once
// The body of POST /api/v1/scans. A pure function of the body, so that it is fuzzed and unit
// tested without a server.

#include <cstddef>
#include <string_view>

#include "sentinel/common/result.h"
#include "sentinel/scanner/scan_job.h"

namespace sentinel::scanner {

/// Entries a targets or exclude list may hold.
inline constexpr std::size_t kMaxTargetEntries = 1024;
/// Characters one entry may hold (a host name is at most 253).
inline constexpr std::size_t kMaxTargetLength = 256;

/// Agent ids a distributed scan may name at most.
inline constexpr std::size_t kMaxAgentIds = 1000;
/// Characters a group name or an agent id may hold.
inline constexpr std::size_t kMaxAgentField = 255;
/// Script names or categories an nmap job may name.
inline constexpr std::size_t kMaxNmapScripts = 64;

/// Parses {"targets": [...], "exclude"?: [...], "ports"?: SPEC, "profile"?: "quick" | "standard"
/// | "full", "confirm_large"?: bool, "agents"?: {"group": NAME} | {"ids": [ID, ...]}
/// | {"networks": true},
/// "backend"?: "engine" | "nmap", "nmap"?: {"scripts"?: [NAME, ...], "os_detection"?: bool},
/// "discovery"?: bool, "max_rate"?: NUMBER, "max_concurrency"?: INT} ("discovery": find the live
/// hosts first, on the server or in the agents' shards alike; absent means true; "max_rate":
/// probes per second, more than 0 up to kMaxProbeRate; "max_concurrency": probes in flight,
/// 1..kMaxProbeConcurrency; absent: the engine's own limits).
/// Targets must be a non-empty list of non-empty strings; ports must be a spec check_port_spec()
/// accepts. Syntax of the targets themselves is checked later, when they are resolved.
/// kInvalidArgument naming the field for anything else. Thread-safe.
Result<ScanRequest> parse_scan_request(std::string_view body);

}  // namespace sentinel::scanner
