#include "scope_body.h"

#include <fmt/format.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "scan_body.h"
#include "sentinel/common/text.h"
#include "sentinel/gateway/http.h"

namespace sentinel::scanner {
namespace {

// Characters a CIDR may hold: "ffff:...:ffff/128" is 43.
constexpr std::size_t kMaxCidrLength = 64;

// The broadest blocks stored without a confirmation: /8 and /32.
constexpr scan::Uint128 kBroadV4 = scan::Uint128{1} << 24;
constexpr scan::Uint128 kBroadV6 = scan::Uint128{1} << 96;

// One address or CIDR block, strictly: ScanScope's grammar, but a list is refused.
Result<scan::AddressRange> one_cidr(const std::string& text) {
  if (text.empty()) return invalid_argument("field 'cidr' must not be empty", "cidr");
  if (text.size() > kMaxCidrLength) {
    return invalid_argument(
        fmt::format("field 'cidr' is longer than {} characters", kMaxCidrLength), "cidr");
  }
  if (text.find_first_of(", \t\r\n") != std::string::npos || has_control_character(text)) {
    return invalid_argument("field 'cidr' must be one address or CIDR block, not a list", "cidr");
  }
  SENTINEL_ASSIGN(scope, scan::ScanScope::parse(text, "cidr"));
  if (scope.ranges().size() != 1) {
    return invalid_argument("field 'cidr' must be one address or CIDR block", "cidr");
  }
  return scope.ranges().front();
}

}  // namespace

Result<NewScope> parse_scope_request(std::string_view body) {
  SENTINEL_ASSIGN(fields, gateway::parse_json_object(body, {"cidr", "comment", "confirm_broad"}));
  SENTINEL_ASSIGN(cidr, gateway::required_string(fields, "cidr"));
  SENTINEL_ASSIGN(range, one_cidr(cidr));
  SENTINEL_ASSIGN(comment, gateway::optional_string(fields, "comment"));
  SENTINEL_ASSIGN(confirm_broad, gateway::optional_bool(fields, "confirm_broad"));
  NewScope scope{range, comment.value_or(std::string())};
  if (scope.comment.size() > kMaxScopeComment) {
    return invalid_argument(
        fmt::format("field 'comment' is longer than {} characters", kMaxScopeComment), "comment");
  }
  if (has_control_character(scope.comment)) {
    return invalid_argument("field 'comment' holds a control character", "comment");
  }
  const bool broad = range.first.is_v4() ? range.size() > kBroadV4 : range.size() > kBroadV6;
  if (broad && !confirm_broad.value_or(false)) {
    return Error{ErrorCode::kInvalidArgument,
                 fmt::format("'{}' covers {} addresses, more than a /{} block; send "
                             "\"confirm_broad\": true to allow scans of all of them",
                             range.to_string(), scan::to_decimal(range.size()),
                             range.first.is_v4() ? 8 : 32),
                 "confirmation_required", "confirm_broad"};
  }
  return scope;
}

Result<std::vector<std::string>> parse_scope_check_request(std::string_view body) {
  SENTINEL_ASSIGN(fields, gateway::parse_json_object(body, {"targets"}));
  // The targets of a scan body, checked by the scan body's own parser.
  boost::json::object scan;
  if (const boost::json::value* targets = fields.if_contains("targets")) {
    scan["targets"] = *targets;
  }
  SENTINEL_ASSIGN(request, parse_scan_request(boost::json::serialize(scan)));
  return std::move(request.targets);
}

}  // namespace sentinel::scanner
