#include "policy_syntax.h"

#include <fmt/format.h>

#include "sentinel/common/text.h"

namespace sentinel::firewall::detail {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

template <typename Pred>
bool all_of(std::string_view text, Pred pred) {
  for (char c : text) {
    if (!pred(c)) return false;
  }
  return true;
}

}  // namespace

bool is_object_name(std::string_view name) {
  return !name.empty() && name.size() <= 32 && is_alpha(name[0]) &&
         all_of(name, [](char c) { return is_alpha(c) || is_digit(c) || c == '_' || c == '-'; });
}

bool is_rule_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && (is_alpha(id[0]) || is_digit(id[0])) &&
         all_of(id, [](char c) {
           return is_alpha(c) || is_digit(c) || c == '_' || c == '.' || c == ':' || c == '-';
         });
}

bool is_interface_pattern(std::string_view pattern) {
  if (!pattern.empty() && pattern.back() == '*') pattern.remove_suffix(1);
  return !pattern.empty() && pattern.size() <= 15 && all_of(pattern, [](char c) {
    return is_alpha(c) || is_digit(c) || c == '_' || c == '.' || c == '-';
  });
}

std::optional<std::string> log_prefix_problem(std::string_view prefix) {
  if (prefix.size() > 64) return "a log prefix is at most 64 characters";
  for (char c : prefix) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) {
      return "a log prefix may only hold printable ASCII characters";
    }
    if (c == '"' || c == '\\' || c == '$') {
      // nft strings have no escapes, and '$' starts a variable even inside quotes.
      return fmt::format("a log prefix may not contain '{}'", c);
    }
  }
  return std::nullopt;
}

std::optional<std::string> free_text_problem(std::string_view text, std::size_t limit) {
  if (text.size() > limit) return fmt::format("at most {} bytes", limit);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_control_character(text[i])) {
      return "control characters (line breaks, tabs) are not allowed";
    }
    const auto byte = static_cast<unsigned char>(text[i]);
    const auto next = [&](std::size_t n) {
      return i + n < text.size() ? static_cast<unsigned char>(text[i + n]) : 0;
    };
    if (byte == 0xc2 && next(1) >= 0x80 && next(1) <= 0x9f) {
      return "control characters (line breaks, tabs) are not allowed";
    }
    // U+2028/U+2029 (separators), U+202A-U+202E and U+2066-U+2069 (bidirectional overrides
    // that make text read differently from what it is).
    if (byte == 0xe2 && next(1) == 0x80 && next(2) >= 0xa8 && next(2) <= 0xae) {
      return "line separators and bidirectional overrides are not allowed";
    }
    if (byte == 0xe2 && next(1) == 0x81 && next(2) >= 0xa6 && next(2) <= 0xa9) {
      return "bidirectional overrides are not allowed";
    }
  }
  return std::nullopt;
}

std::string single_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (is_control_character(c)) c = ' ';
  }
  return out;
}

void append_word(std::string& text, std::string_view word) {
  if (word.empty()) return;
  if (!text.empty()) text += ' ';
  text += word;
}

std::string format_port_range(const PortRange& range) {
  if (range.low == range.high) return std::to_string(range.low);
  return fmt::format("{}-{}", range.low, range.high);
}

std::string format_port_item(const PortItem& item) {
  return item.set.empty() ? format_port_range(item.range) : item.set;
}

std::string format_address_item(const AddressItem& item) {
  return item.object.empty() ? format_ip_network(item.network) : item.object;
}

}  // namespace sentinel::firewall::detail
