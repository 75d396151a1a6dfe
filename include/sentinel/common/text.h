#pragma once
// Small text helpers shared by parsers of headers, lists and specs.

#include <optional>
#include <string_view>

namespace sentinel {

/// `text` without leading and trailing spaces and tabs (HTTP's optional whitespace).
inline std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

/// Whether the byte `c` is an ASCII control character: below 0x20, or DEL (0x7f). Bytes from
/// 0x80 up (parts of UTF-8 sequences) are not.
constexpr bool is_control_character(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

/// Whether `text` holds a control character (is_control_character) other than those in
/// `allowed` (for example "\n\t" for text that may span lines).
inline bool has_control_character(std::string_view text, std::string_view allowed = {}) {
  for (const char c : text) {
    if (is_control_character(c) && allowed.find(c) == std::string_view::npos) return true;
  }
  return false;
}

/// The value of the hexadecimal digit `c` (0-9, a-f, A-F); nullopt for any other character.
constexpr std::optional<int> hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

}  // namespace sentinel
