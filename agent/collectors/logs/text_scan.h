#pragma once
// Small scanning helpers shared by the log parsers. Internal to sentinel_agent_logs: the parsers
// are hand-written over string_view (no regex, no allocation) because they run on every line.

#include <cstdint>
#include <optional>
#include <string_view>

namespace sentinel::agent::logs::scan {

/// True and `text` advanced past `prefix` when it starts with it; otherwise `text` is unchanged.
inline bool consume(std::string_view& text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return false;
  text.remove_prefix(prefix.size());
  return true;
}

/// True and `text` shortened by `suffix` when it ends with it.
inline bool consume_suffix(std::string_view& text, std::string_view suffix) {
  if (!text.ends_with(suffix)) return false;
  text.remove_suffix(suffix.size());
  return true;
}

/// `text` without leading and trailing spaces and tabs.
inline std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

/// The text up to the first `delimiter` (all of it when absent); `text` advances past the
/// delimiter.
inline std::string_view take_until(std::string_view& text, std::string_view delimiter) {
  const std::size_t at = text.find(delimiter);
  if (at == std::string_view::npos) {
    const std::string_view all = text;
    text = {};
    return all;
  }
  const std::string_view head = text.substr(0, at);
  text.remove_prefix(at + delimiter.size());
  return head;
}

/// The next space-separated word; `text` advances past it and one space.
inline std::string_view take_word(std::string_view& text) { return take_until(text, " "); }

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// A decimal number of at most 18 digits, nothing else; nullopt otherwise.
inline std::optional<std::int64_t> parse_uint(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) {
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

/// A TCP/UDP port: 0..65535 in decimal.
inline bool is_port(std::string_view text) {
  const auto value = parse_uint(text);
  return value && text.size() <= 5 && *value <= 65535;
}

/// A dotted-quad IPv4 address (no leading-zero ambiguity checks beyond three digits).
inline bool is_ipv4(std::string_view text) {
  int parts = 0;
  while (parts < 4) {
    std::size_t digits = 0;
    int value = 0;
    while (digits < text.size() && digits < 4 && is_digit(text[digits])) {
      value = value * 10 + (text[digits] - '0');
      ++digits;
    }
    if (digits == 0 || digits > 3 || value > 255) return false;
    text.remove_prefix(digits);
    ++parts;
    if (parts == 4) break;
    if (text.empty() || text.front() != '.') return false;
    text.remove_prefix(1);
  }
  return text.empty();
}

/// An IPv4 or IPv6 address in text form (inet_pton's grammar).
bool is_ip(std::string_view text);

/// ASCII letters lowered.
inline char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

/// Case-insensitive (ASCII) search of `needle` in `text`.
inline bool contains_nocase(std::string_view text, std::string_view needle) {
  if (needle.size() > text.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= text.size(); ++i) {
    std::size_t j = 0;
    while (j < needle.size() && lower(text[i + j]) == lower(needle[j])) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

}  // namespace sentinel::agent::logs::scan
