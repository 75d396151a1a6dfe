#pragma once
// Reading what /proc tells about one process, for process.start and network.connection events.
// Each read goes through one descriptor of /proc/<pid>, so that every file read describes the
// same process: once that process is reaped, reads fail instead of reaching a newer process that
// was given the same pid.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "sentinel/common/result.h"

namespace sentinel::agent::process {

/// The cap on a command line (after quoting), as on log lines (ADR 0004).
inline constexpr std::size_t kMaxCommandLineBytes = 64 * 1024;

/// A command line for people and rules: the NUL-separated arguments of /proc/<pid>/cmdline
/// joined by spaces. So that the arguments can still be told apart, one that is empty or holds
/// whitespace, quotes or a backslash is put in single quotes as a POSIX shell would read it (a '
/// inside becomes '\''); others are left bare, so that `sh -c 'curl x|sh'` still contains
/// "curl x|sh". Invalid UTF-8 becomes U+FFFD; the result is cut at a character boundary to
/// `max_bytes`, and `*truncated` (when given) is set when it was cut.
std::string quote_command_line(std::string_view raw, std::size_t max_bytes = kMaxCommandLineBytes,
                               bool* truncated = nullptr);

/// process.name: the last component of the executable without the kernel's " (deleted)" mark,
/// or the kernel's command name (`comm`) when the executable is unknown (kernel threads, no
/// permission).
std::string process_name(std::string_view executable, std::string_view comm);

/// What was read about one process. Empty strings and nullopt for what could not be read (the
/// executable, cwd and fd links of another user's process need CAP_SYS_PTRACE).
struct ProcessDetails {
  std::int64_t pid = 0;
  std::int64_t parent_pid = 0;  // PPid: the current parent (a reaper once the parent is gone)
  std::optional<std::int64_t> uid;
  std::string comm;
  std::string executable;
  std::string name;
  std::string command_line;       // only when asked for
  std::string working_directory;  // only when asked for
  bool command_line_truncated = false;
  std::uint64_t start_ticks = 0;  // since boot (CLOCK_BOOTTIME), in clock ticks
};

/// How much of a process to read: `kIdentity` (stat, status, exe) or also the command line and
/// working directory.
enum class ProcessReadScope { kIdentity, kFull };

/// Reads /proc/<pid> under `proc`. kNotFound when the process is gone (or a zombie without a
/// readable stat); other fields are best effort.
Result<ProcessDetails> read_process(const std::filesystem::path& proc, std::int64_t pid,
                                    ProcessReadScope scope);

}  // namespace sentinel::agent::process
