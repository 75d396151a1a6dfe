#include "agent/collectors/logs/line_sanitizer.h"

#include "sentinel/common/text.h"

namespace sentinel::agent::logs {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool is_kept_control(unsigned char c, bool keep_newlines) {
  return c == '\t' || c == 0x1D || (keep_newlines && c == '\n');
}

bool needs_replacement(unsigned char c, bool keep_newlines) {
  return is_control_character(static_cast<char>(c)) && !is_kept_control(c, keep_newlines);
}

// The bounds of the second byte of a sequence started by `lead` (Unicode Table 3-7); the later
// continuation bytes are always 0x80..0xBF.
struct SequenceShape {
  std::size_t length = 0;  // 0: `lead` cannot start a sequence
  unsigned char second_low = 0x80;
  unsigned char second_high = 0xBF;
};

SequenceShape shape_of(unsigned char lead) {
  if (lead >= 0xC2 && lead <= 0xDF) return {2};
  if (lead == 0xE0) return {3, 0xA0, 0xBF};
  if (lead == 0xED) return {3, 0x80, 0x9F};
  if (lead >= 0xE1 && lead <= 0xEF) return {3};
  if (lead == 0xF0) return {4, 0x90, 0xBF};
  if (lead >= 0xF1 && lead <= 0xF3) return {4};
  if (lead == 0xF4) return {4, 0x80, 0x8F};
  return {};
}

// How many bytes from `at` form a valid sequence (its full length), or, as a negative number,
// the length of the maximal invalid subpart to replace. `truncated` is set when the text ends
// inside an otherwise valid sequence.
long long scan_sequence(std::string_view text, std::size_t at, bool& truncated) {
  const auto lead = static_cast<unsigned char>(text[at]);
  const SequenceShape shape = shape_of(lead);
  if (shape.length == 0) return -1;
  for (std::size_t i = 1; i < shape.length; ++i) {
    if (at + i >= text.size()) {
      truncated = true;
      return -static_cast<long long>(i);
    }
    const auto c = static_cast<unsigned char>(text[at + i]);
    const unsigned char low = i == 1 ? shape.second_low : 0x80;
    const unsigned char high = i == 1 ? shape.second_high : 0xBF;
    if (c < low || c > high) return -static_cast<long long>(i);
  }
  return static_cast<long long>(shape.length);
}

}  // namespace

std::string_view sanitize_line(std::string_view raw, const SanitizeOptions& options,
                               std::string& scratch, LineDefects& defects, bool raw_was_cut) {
  defects.cut = raw_was_cut;
  // Fast path: printable ASCII within the cap is returned as it is.
  std::size_t clean = 0;
  while (clean < raw.size()) {
    const auto c = static_cast<unsigned char>(raw[clean]);
    if (c >= 0x7F || (c < 0x20 && c != '\t')) break;
    ++clean;
  }
  if (clean == raw.size() && raw.size() <= options.max_bytes) return raw;
  if (clean >= options.max_bytes) {
    defects.cut = true;
    return raw.substr(0, options.max_bytes);
  }

  scratch.assign(raw.substr(0, clean));
  std::size_t at = clean;
  const auto append = [&](std::string_view piece) {
    if (scratch.size() + piece.size() > options.max_bytes) {
      defects.cut = true;
      return false;
    }
    scratch.append(piece);
    return true;
  };
  while (at < raw.size()) {
    const auto c = static_cast<unsigned char>(raw[at]);
    if (c < 0x80) {
      if (needs_replacement(c, options.keep_newlines)) {
        defects.binary = true;
        if (!append(kReplacement)) break;
      } else if (!append(raw.substr(at, 1))) {
        break;
      }
      ++at;
      continue;
    }
    bool truncated = false;
    const long long length = scan_sequence(raw, at, truncated);
    if (length > 0) {
      if (!append(raw.substr(at, static_cast<std::size_t>(length)))) break;
      at += static_cast<std::size_t>(length);
      continue;
    }
    if (truncated && raw_was_cut) break;  // the caller's cut split this character
    defects.invalid_utf8 = true;
    if (!append(kReplacement)) break;
    at += static_cast<std::size_t>(-length);
  }
  return scratch;
}

bool is_valid_utf8(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    if (static_cast<unsigned char>(text[at]) < 0x80) {
      ++at;
      continue;
    }
    bool truncated = false;
    const long long length = scan_sequence(text, at, truncated);
    if (length <= 0) return false;
    at += static_cast<std::size_t>(length);
  }
  return true;
}

}  // namespace sentinel::agent::logs
