#pragma once
// What a password and a username must look like.

#include <string_view>

#include "sentinel/common/result.h"
#include "sentinel/common/secret.h"

namespace sentinel::auth {

inline constexpr std::size_t kMinPasswordLength = 12;    // Unicode code points
inline constexpr std::size_t kMaxPasswordLength = 1024;  // Unicode code points

/// kInvalidArgument (field "password") when the password (UTF-8) is shorter than 12 or longer
/// than 1024 code points, a common password, or equal to or containing the username
/// (both compared case-insensitively).
Status check_password_policy(const Secret& password, std::string_view username);

/// kInvalidArgument (field "username") unless 1-64 characters of [A-Za-z0-9._-].
Status check_username(std::string_view username);

/// True when `password` is on the built-in list of common passwords (case-insensitive).
bool is_common_password(std::string_view password);

}  // namespace sentinel::auth
