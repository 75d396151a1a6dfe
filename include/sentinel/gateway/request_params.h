#pragma once
// What routes read from a request besides its body: the caller's client facts for the audit log,
// and numeric ids in the path.

#include <cstdint>
#include <string_view>

#include "sentinel/auth/auth_types.h"
#include "sentinel/common/result.h"
#include "sentinel/gateway/http.h"

namespace sentinel::gateway {

/// The caller's address and user agent.
auth::ClientInfo client_of(const Request& request);

/// The positive integer in path parameter `name`; kNotFound "No such `what`." for anything else,
/// since no such resource can exist.
Result<std::int64_t> positive_path_id(const Request& request, std::string_view what,
                                      std::string_view name = "id");

}  // namespace sentinel::gateway
