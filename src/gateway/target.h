#pragma once
// Request targets ("/api/v1/users/42?limit=10") into a percent-decoded path and query.

#include <string_view>

#include "sentinel/gateway/http.h"

namespace sentinel::gateway {

/// Longest accepted request target.
inline constexpr std::size_t kMaxTargetLength = 8192;

/// Fills request.path (percent-decoded) and request.query (decoded, '+' is a space, the first
/// value of a repeated key wins) from an origin-form target. kInvalidArgument for a malformed
/// target, one longer than kMaxTargetLength, an encoded '/' or a NUL in the path, or a path or
/// query that is not valid UTF-8 after decoding.
Status parse_target(std::string_view target, Request& request);

}  // namespace sentinel::gateway
