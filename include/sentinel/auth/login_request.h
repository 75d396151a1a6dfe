#pragma once
// The body of POST /api/v1/auth/login, parsed strictly. Fuzzed by tests/fuzz/login_body_fuzz.cpp.

#include <optional>
#include <string>
#include <string_view>

#include "sentinel/common/result.h"
#include "sentinel/common/secret.h"

namespace sentinel::auth {

/// A login attempt as the client sent it.
struct LoginRequest {
  std::string username;
  Secret password;
  /// A current TOTP code ("123456") or a recovery code ("abcd-efgh-jkmn").
  std::optional<Secret> totp;
};

/// {"username","password","totp"?}: strings, no other keys, valid UTF-8; kInvalidArgument
/// naming the field otherwise.
Result<LoginRequest> parse_login_request(std::string_view body);

}  // namespace sentinel::auth
