#pragma once
// The bodies of POST /api/v1/scan-scopes and POST /api/v1/scan-scopes/check. Pure functions of
// the body, so that they are fuzzed and unit tested without a server.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scanner/scan_scopes.h"

namespace sentinel::scanner {

/// Characters a scope's comment may hold.
inline constexpr std::size_t kMaxScopeComment = 200;

/// Parses {"cidr": CIDR, "comment"?: TEXT, "confirm_broad"?: bool}. The CIDR is one IPv4 or IPv6
/// address or block with its host bits zero; a block broader than a /8 (IPv4) or a /32 (IPv6)
/// needs "confirm_broad": true, since it widens what may be scanned that much. kInvalidArgument
/// naming the field otherwise. Thread-safe.
Result<NewScope> parse_scope_request(std::string_view body);

/// Parses {"targets": [ENTRY, ...]} with the same rules as the targets of POST /api/v1/scans
/// (parse_scan_request). Each entry is checked as a whole: "10.0.0.0/24 !10.0.0.1" is one entry
/// (the portal asks about the whole target list that way). Thread-safe.
Result<std::vector<std::string>> parse_scope_check_request(std::string_view body);

}  // namespace sentinel::scanner
