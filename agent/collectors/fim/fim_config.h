#pragma once
// What the file-integrity monitor watches and how (agent config `fim.*`, ADR 0004).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::agent::fim {

/// The monitor's settings. A plain value; check it with validate_config() before use.
struct FimConfig {
  /// Absolute files or directories; directories are watched recursively. A trailing "/" is
  /// allowed; "." and ".." components and empty ones ("//") are not.
  std::vector<std::string> paths;
  /// Globs on the full path (see PathGlob): `*` and `?` stay within one component, `**`
  /// crosses "/", `[a-z]`/`[!a-z]` are classes, `\` escapes. "/etc/*.swp", "/var/cache/**".
  std::vector<std::string> excludes;
  /// Seconds between scheduled full checks (one always runs at start).
  std::int64_t full_check_interval_s = 12 * 3600;
  /// false: a walk stays on the filesystem of the path it started from (like `find -xdev`).
  bool cross_filesystems = false;
  /// Real-time changes are coalesced over this window; several writes to one file are one
  /// change.
  std::int64_t window_ms = 1000;
  /// A window with more than this many changes under one directory reports them as one
  /// `fim.batch` event.
  std::size_t batch_threshold = 100;
  /// Threads that hash file contents during checks.
  int hash_threads = 2;
};

/// Limits of the settings, also used in messages.
inline constexpr std::int64_t kMinFullCheckIntervalS = 60;
inline constexpr std::int64_t kMaxFullCheckIntervalS = 30LL * 24 * 3600;
inline constexpr std::int64_t kMinWindowMs = 10;
inline constexpr std::int64_t kMaxWindowMs = 60'000;
inline constexpr int kMaxHashThreads = 16;

/// Ok, or kInvalidArgument listing every problem, one per line, each naming its key
/// ("fim.paths[1]: \"etc\" must be an absolute path"); `field` names the first.
Status validate_config(const FimConfig& config);

/// `path` without trailing slashes ("/etc/" -> "/etc", "/" stays); the form paths are compared
/// and stored in. Call on validated paths only.
std::string normalize_path(std::string path);

}  // namespace sentinel::agent::fim
