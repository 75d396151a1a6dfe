// The "processes" section: every thread-group leader of /proc except kernel threads.

#include <unistd.h>

#include <filesystem>

#include "agent/collectors/inventory/collectors.h"
#include "agent/collectors/inventory/parsers.h"
#include "agent/collectors/inventory/system_files.h"

namespace sentinel::agent::inventory {
namespace {

constexpr std::uint64_t kKernelThreadFlag = 0x00200000;  // PF_KTHREAD, include/linux/sched.h
constexpr std::size_t kMaxCmdlineBytes = 4096;

std::optional<std::int64_t> pid_of(const std::filesystem::path& entry) {
  return parse_integer(entry.filename().string());
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  // "pid (comm) state ppid ...": comm is whatever lies between the first '(' and the last ')'.
  const std::size_t open = text.find('(');
  const std::size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  const auto fields = split_fields(text.substr(close + 1));
  // fields[0] is the state (field 3 of proc(5)); ppid is field 4, flags 9, starttime 22.
  if (fields.size() < 20) return std::nullopt;
  const auto ppid = parse_integer(fields[1]);
  const auto flags = parse_integer(fields[6]);
  const auto start = parse_integer(fields[19]);
  if (!ppid || !flags || !start) return std::nullopt;
  return ProcStat{std::string(text.substr(open + 1, close - open - 1)), *ppid,
                  static_cast<std::uint64_t>(*flags), static_cast<std::uint64_t>(*start)};
}

std::optional<std::int64_t> parse_status_uid(std::string_view text) {
  for (std::string_view line : split_lines(text)) {
    if (line.substr(0, 4) != "Uid:") continue;
    const auto fields = split_fields(line.substr(4));
    if (fields.empty()) return std::nullopt;
    return parse_integer(fields[0]);
  }
  return std::nullopt;
}

std::string join_cmdline(std::string_view raw, std::size_t max_bytes) {
  while (!raw.empty() && raw.back() == '\0') raw.remove_suffix(1);
  std::string joined(raw);
  for (char& c : joined) {
    if (c == '\0') c = ' ';
  }
  return json_safe_text(joined, max_bytes);
}

Result<boost::json::array> collect_processes(const SystemRoots& roots) {
  const auto names = user_names(parse_passwd(read_optional(roots.etc / "passwd").value_or("")));
  const auto boot_time = parse_boot_time(read_optional(roots.proc / "stat").value_or(""));
  if (!boot_time) return internal_error("processes: no btime in " + (roots.proc / "stat").string());
  const long ticks_per_second = std::max(1L, ::sysconf(_SC_CLK_TCK));
  const std::int64_t self = ::getpid();

  std::error_code error;
  std::filesystem::directory_iterator entries(roots.proc, error);
  if (error) return internal_error("processes: " + roots.proc.string() + ": " + error.message());
  boost::json::array items;
  for (const auto& entry : entries) {
    const auto pid = pid_of(entry.path());
    if (!pid || *pid == self) continue;
    // A process can exit at any point below: then it is simply not listed.
    const auto stat_text = read_optional(entry.path() / "stat", 4096);
    if (!stat_text) continue;
    const auto stat = parse_proc_stat(*stat_text);
    if (!stat || (stat->flags & kKernelThreadFlag) != 0) continue;
    const auto uid = parse_status_uid(read_optional(entry.path() / "status", 16384).value_or(""));
    if (!uid) continue;
    const std::string cmdline = join_cmdline(
        read_optional(entry.path() / "cmdline", kMaxCmdlineBytes).value_or(""), kMaxCmdlineBytes);
    const auto name = names.find(*uid);
    items.emplace_back(boost::json::object{
        {"pid", *pid},
        {"ppid", stat->ppid},
        {"uid", *uid},
        {"user", name == names.end() ? std::to_string(*uid) : json_safe_text(name->second)},
        {"name", json_safe_text(stat->comm)},
        {"cmdline", cmdline},
        {"start_time",
         *boot_time + static_cast<std::int64_t>(stat->start_ticks) / ticks_per_second},
    });
  }
  return items;
}

}  // namespace sentinel::agent::inventory
