#pragma once
// Small text helpers shared by the loader and the engine.

#include <charconv>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel::detection {

/// Hashes std::string and std::string_view alike, so that maps keyed by std::string can be
/// searched with a view (no allocation per lookup).
struct TransparentHash {
  using is_transparent = void;
  // Not noexcept on purpose: libstdc++ then stores each node's hash, and a lookup compares
  // those instead of rehashing every key of the bucket it walks.
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};

/// ASCII lower case of one byte; other bytes unchanged.
inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

/// Equality ignoring ASCII case.
inline bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

/// Where `needle` starts in `haystack` ignoring ASCII case, or npos.
inline std::size_t find_ignoring_case(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return 0;
  if (needle.size() > haystack.size()) return std::string_view::npos;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (equals_ignoring_case(haystack.substr(i, needle.size()), needle)) return i;
  }
  return std::string_view::npos;
}

/// `text` as a decimal number ("42", "-1.5", "1e6"); nullopt unless all of it is one.
inline std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace sentinel::detection
