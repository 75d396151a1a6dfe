#include "sentinel/auth/password_policy.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace sentinel::auth {
namespace {

// Code points of UTF-8 text: every byte that is not a continuation byte. Bodies reach here through
// the strict JSON parser, which has already refused invalid UTF-8.
std::size_t code_points(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](unsigned char c) { return (c & 0xC0) != 0x80; }));
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

Status check_password_policy(const Secret& password, std::string_view username) {
  const std::string& text = password.reveal();
  const std::size_t length = code_points(text);
  if (length < kMinPasswordLength) {
    return invalid_argument("The password must have at least 12 characters.", "password");
  }
  if (length > kMaxPasswordLength) {
    return invalid_argument("The password must have at most 1024 characters.", "password");
  }
  if (is_common_password(text)) {
    return invalid_argument("This password is too common; choose another.", "password");
  }
  if (!username.empty() && ascii_lower(text).find(ascii_lower(username)) != std::string::npos) {
    return invalid_argument("The password must not contain the username.", "password");
  }
  return ok();
}

Status check_username(std::string_view username) {
  const bool valid_chars = std::all_of(username.begin(), username.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-';
  });
  if (username.empty() || username.size() > 64 || !valid_chars) {
    return invalid_argument("A username has 1 to 64 characters: letters, digits, '.', '_', '-'.",
                            "username");
  }
  return ok();
}

}  // namespace sentinel::auth
