#pragma once
// Makes one log line safe to carry as JSON text and to store: valid UTF-8, no NUL or terminal
// control bytes, at most 64 KiB. Log files and journal fields are written by anyone on the host,
// so nothing downstream may assume they are text.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sentinel::agent::logs {

/// The cap on one line (ADR 0004). Longer lines keep their first 64 KiB.
inline constexpr std::size_t kMaxLineBytes = 64 * 1024;

/// How sanitize_line treats its input. A plain value.
struct SanitizeOptions {
  std::size_t max_bytes = kMaxLineBytes;
  /// Journal messages may span lines; a file line never holds a newline.
  bool keep_newlines = false;
};

/// What sanitize_line had to change in one line.
struct LineDefects {
  bool binary = false;        // NUL or control bytes, each replaced by U+FFFD
  bool invalid_utf8 = false;  // invalid UTF-8 sequences, each replaced by one U+FFFD
  bool cut = false;           // longer than the cap: the rest was dropped
};

/// Counters of the lines a collector handed on and of those it could not take whole: what the
/// agent reports as `collector.stats`. A plain value; not thread-safe.
struct LineCounters {
  std::uint64_t lines = 0;
  std::uint64_t long_lines = 0;
  std::uint64_t binary_lines = 0;
  std::uint64_t invalid_utf8_lines = 0;

  /// Counts one line with its defects.
  void count(const LineDefects& defects) {
    ++lines;
    long_lines += defects.cut ? 1 : 0;
    binary_lines += defects.binary ? 1 : 0;
    invalid_utf8_lines += defects.invalid_utf8 ? 1 : 0;
  }
};

/// `raw` made safe: control bytes other than TAB (and 0x1D, auditd's separator of its enriched
/// fields) become U+FFFD, each maximal invalid UTF-8 subpart becomes one U+FFFD (Unicode's
/// "substitution of maximal subparts"), and the result is cut to `options.max_bytes` on a
/// character boundary. `raw_was_cut` says the caller already dropped the rest of an over-long
/// line, so that a character split by that cut is dropped rather than counted as invalid.
/// Returns `raw` itself when nothing changes (the common case, no copy), else a view of
/// `scratch`; valid until either changes. `defects` receives what changed.
std::string_view sanitize_line(std::string_view raw, const SanitizeOptions& options,
                               std::string& scratch, LineDefects& defects,
                               bool raw_was_cut = false);

/// True when `text` is valid UTF-8 (used by tests and the fuzzer to check the sanitiser).
bool is_valid_utf8(std::string_view text);

}  // namespace sentinel::agent::logs
