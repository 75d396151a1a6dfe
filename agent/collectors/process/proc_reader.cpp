#include "agent/collectors/process/proc_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "agent/collectors/inventory/parsers.h"
#include "agent/collectors/inventory/system_files.h"

namespace sentinel::agent::process {
namespace {

using inventory::json_safe_text;

constexpr std::size_t kMaxPathBytes = 8192;  // PATH_MAX and the kernel's " (deleted)"
constexpr std::string_view kDeletedMark = " (deleted)";

// One open /proc/<pid> directory; files are read relative to it.
class ProcDirectory {
 public:
  explicit ProcDirectory(const std::filesystem::path& path)
      : fd_(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)) {}
  ProcDirectory(const ProcDirectory&) = delete;
  ProcDirectory& operator=(const ProcDirectory&) = delete;
  ~ProcDirectory() {
    if (fd_ >= 0) ::close(fd_);
  }

  bool is_open() const { return fd_ >= 0; }

  // At most `max_bytes` of the file, or nullopt when it cannot be read.
  std::optional<std::string> read(const char* name, std::size_t max_bytes) const {
    const int fd = ::openat(fd_, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return std::nullopt;
    std::string content;
    char buffer[16384];
    bool failed = false;
    while (content.size() < max_bytes) {
      const ssize_t count = ::read(fd, buffer, sizeof buffer);
      if (count < 0 && errno == EINTR) continue;
      if (count < 0) failed = true;
      if (count <= 0) break;
      content.append(buffer, std::min(static_cast<std::size_t>(count), max_bytes - content.size()));
    }
    ::close(fd);
    if (failed) return std::nullopt;
    return content;
  }

  // The target of a symbolic link such as "exe" or "cwd", or nullopt.
  std::optional<std::string> read_link(const char* name) const {
    char target[kMaxPathBytes];
    const ssize_t length = ::readlinkat(fd_, name, target, sizeof target);
    if (length <= 0 || static_cast<std::size_t>(length) >= sizeof target) return std::nullopt;
    return std::string(target, static_cast<std::size_t>(length));
  }

 private:
  int fd_;
};

bool needs_quotes(std::string_view argument) {
  return argument.empty() || argument.find_first_of(" \t\n\r\v\f'\"\\") != std::string_view::npos;
}

}  // namespace

std::string quote_command_line(std::string_view raw, std::size_t max_bytes, bool* truncated) {
  // Programs that rewrite their title (setproctitle) leave NUL padding: not empty arguments.
  while (!raw.empty() && raw.back() == '\0') raw.remove_suffix(1);
  if (truncated != nullptr) *truncated = false;
  if (raw.empty()) return {};  // no arguments at all: kernel threads, zombies
  std::string joined;
  joined.reserve(raw.size() + 16);
  bool first = true;
  while (true) {
    const std::size_t end = raw.find('\0');
    const std::string_view argument = raw.substr(0, end);
    if (!first) joined += ' ';
    first = false;
    if (!needs_quotes(argument)) {
      joined += argument;
    } else {
      joined += '\'';
      for (const char c : argument) {
        if (c == '\'') {
          joined += "'\\''";
        } else {
          joined += c;
        }
      }
      joined += '\'';
    }
    if (end == std::string_view::npos) break;
    raw.remove_prefix(end + 1);
  }

  // Replacing invalid bytes can lengthen the text, so the cut comes after it.
  std::string safe = json_safe_text(joined, joined.size() * 3);
  const bool cut = safe.size() > max_bytes;
  if (cut) {
    std::size_t end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(safe[end]) & 0xC0) == 0x80) --end;
    safe.resize(end);
  }
  if (truncated != nullptr) *truncated = cut;
  return safe;
}

std::string process_name(std::string_view executable, std::string_view comm) {
  if (executable.empty()) return std::string(comm);
  if (executable.ends_with(kDeletedMark)) executable.remove_suffix(kDeletedMark.size());
  const std::size_t slash = executable.rfind('/');
  if (slash != std::string_view::npos) executable.remove_prefix(slash + 1);
  return std::string(executable);
}

Result<ProcessDetails> read_process(const std::filesystem::path& proc, std::int64_t pid,
                                    ProcessReadScope scope) {
  const ProcDirectory directory(proc / std::to_string(pid));
  if (!directory.is_open()) return not_found("process " + std::to_string(pid) + " is gone");
  const auto stat = inventory::parse_proc_stat(directory.read("stat", 4096).value_or(""));
  if (!stat) return not_found("process " + std::to_string(pid) + " is gone");

  ProcessDetails details;
  details.pid = pid;
  details.parent_pid = stat->ppid;
  details.comm = json_safe_text(stat->comm);
  details.start_ticks = stat->start_ticks;
  details.uid = inventory::parse_status_uid(directory.read("status", 16384).value_or(""));
  details.executable = json_safe_text(directory.read_link("exe").value_or(""), kMaxPathBytes);
  details.name = process_name(details.executable, details.comm);
  if (scope == ProcessReadScope::kFull) {
    // One byte over the cap tells a command line that was cut from one that fits exactly.
    const std::string raw = directory.read("cmdline", kMaxCommandLineBytes + 1).value_or("");
    bool quoted_cut = false;
    details.command_line = quote_command_line(std::string_view(raw).substr(0, kMaxCommandLineBytes),
                                              kMaxCommandLineBytes, &quoted_cut);
    details.command_line_truncated = quoted_cut || raw.size() > kMaxCommandLineBytes;
    details.working_directory =
        json_safe_text(directory.read_link("cwd").value_or(""), kMaxPathBytes);
  }
  return details;
}

}  // namespace sentinel::agent::process
