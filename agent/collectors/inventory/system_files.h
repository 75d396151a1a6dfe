#pragma once
// Reading the small text files of /proc, /sys and /etc, and making what they hold safe to put in
// JSON. Internal to the collectors; no allocation beyond the file's content, no logging.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::agent::inventory {

/// The whole file, at most `max_bytes` of it (procfs files report size 0, so this reads to EOF).
/// kNotFound when it does not exist, kPermissionDenied when not readable, kInternal otherwise.
Result<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes = 64u << 20);

/// The file's content, or nullopt for any failure (for best-effort fields).
std::optional<std::string> read_optional(const std::filesystem::path& path,
                                         std::size_t max_bytes = 1u << 20);

/// `text` split at '\n' (a final newline yields no empty last line).
std::vector<std::string_view> split_lines(std::string_view text);

/// `text` split at runs of spaces and tabs.
std::vector<std::string_view> split_fields(std::string_view text);

/// `text` without leading and trailing spaces, tabs and newlines.
std::string_view trim(std::string_view text);

/// A non-negative decimal (or base-16) integer that is the whole of `text`.
std::optional<std::int64_t> parse_integer(std::string_view text, int base = 10);

/// Valid UTF-8 without NUL: invalid sequences and NUL bytes become U+FFFD, and the result is cut
/// (at a character boundary) to at most `max_bytes`.
std::string json_safe_text(std::string_view text, std::size_t max_bytes = 4096);

/// Decodes the octal escapes (\040) that /proc/self/mounts uses for spaces and the like.
std::string unescape_octal(std::string_view text);

}  // namespace sentinel::agent::inventory
