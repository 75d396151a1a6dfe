#pragma once
// One-time recovery codes for a lost TOTP device: "xxxx-xxxx-xxxx", stored as SHA-256.

#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/secret.h"

namespace sentinel::auth {

inline constexpr int kRecoveryCodeCount = 10;

/// Ten new random codes (60 bits each, from an alphabet without look-alike characters).
std::vector<Secret> generate_recovery_codes();

/// The stored form of a code as the user typed it (case and surrounding spaces ignored).
std::string recovery_code_hash(std::string_view code);

/// True when a login `totp` value is a recovery code rather than a TOTP code.
bool looks_like_recovery_code(std::string_view code);

}  // namespace sentinel::auth
