// The "system" section: one item describing the host.

#include <sys/utsname.h>

#include "agent/collectors/inventory/collectors.h"
#include "agent/collectors/inventory/parsers.h"
#include "agent/collectors/inventory/system_files.h"

namespace sentinel::agent::inventory {
namespace {

// A value of os-release(5): shell-like quoting, backslash escapes only inside double quotes.
std::string unquote(std::string_view value) {
  if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
    return std::string(value.substr(1, value.size() - 2));
  }
  if (value.size() < 2 || value.front() != '"' || value.back() != '"') return std::string(value);
  value = value.substr(1, value.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size()) ++i;
    out.push_back(value[i]);
  }
  return out;
}

// The value of the first "key : value" line of /proc/cpuinfo whose key is `key`.
std::string cpuinfo_value(std::string_view cpuinfo, std::string_view key) {
  for (std::string_view line : split_lines(cpuinfo)) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (trim(line.substr(0, colon)) == key) return std::string(trim(line.substr(colon + 1)));
  }
  return {};
}

std::int64_t cpuinfo_processors(std::string_view cpuinfo) {
  std::int64_t count = 0;
  for (std::string_view line : split_lines(cpuinfo)) {
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos && trim(line.substr(0, colon)) == "processor") ++count;
  }
  return count;
}

std::int64_t memory_total_bytes(std::string_view meminfo) {
  for (std::string_view line : split_lines(meminfo)) {
    const auto fields = split_fields(line);
    if (fields.size() >= 2 && fields[0] == "MemTotal:") {
      return parse_integer(fields[1]).value_or(0) * 1024;
    }
  }
  return 0;
}

// A one-line procfs value such as /proc/sys/kernel/hostname, or `fallback`.
std::string proc_value(const std::filesystem::path& path, std::string_view fallback) {
  const auto content = read_optional(path, 4096);
  if (!content || trim(*content).empty()) return std::string(fallback);
  return std::string(trim(*content));
}

std::string text_of(const std::map<std::string, std::string, std::less<>>& values,
                    std::string_view key) {
  const auto it = values.find(key);
  return it == values.end() ? std::string() : json_safe_text(it->second);
}

}  // namespace

std::map<std::string, std::string, std::less<>> parse_os_release(std::string_view text) {
  std::map<std::string, std::string, std::less<>> values;
  for (std::string_view line : split_lines(text)) {
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    const std::size_t equals = line.find('=');
    if (equals == std::string_view::npos || equals == 0) continue;
    values[std::string(line.substr(0, equals))] = unquote(line.substr(equals + 1));
  }
  return values;
}

std::optional<std::int64_t> parse_boot_time(std::string_view proc_stat) {
  for (std::string_view line : split_lines(proc_stat)) {
    const auto fields = split_fields(line);
    if (fields.size() == 2 && fields[0] == "btime") return parse_integer(fields[1]);
  }
  return std::nullopt;
}

Result<boost::json::array> collect_system(const SystemRoots& roots) {
  utsname names{};
  ::uname(&names);
  auto os_release = read_optional(roots.os_release);
  if (!os_release) os_release = read_optional(roots.os_release_fallback);
  const auto os = parse_os_release(os_release.value_or(""));
  const std::string cpuinfo = read_optional(roots.proc / "cpuinfo").value_or("");
  std::string cpu_model = cpuinfo_value(cpuinfo, "model name");
  if (cpu_model.empty()) cpu_model = cpuinfo_value(cpuinfo, "Hardware");  // some ARM kernels
  const std::string stat = read_optional(roots.proc / "stat").value_or("");
  const std::string meminfo = read_optional(roots.proc / "meminfo").value_or("");

  boost::json::object item{
      {"hostname", json_safe_text(proc_value(roots.proc / "sys/kernel/hostname", names.nodename))},
      {"os_name", text_of(os, "NAME")},
      {"os_version", text_of(os, "VERSION")},
      {"os_id", text_of(os, "ID")},
      {"os_pretty_name", text_of(os, "PRETTY_NAME")},
      {"kernel", json_safe_text(proc_value(roots.proc / "sys/kernel/osrelease", names.release))},
      {"arch", json_safe_text(names.machine)},
      {"cpu_model", json_safe_text(cpu_model)},
      {"cpu_cores", cpuinfo_processors(cpuinfo)},
      {"memory_bytes", memory_total_bytes(meminfo)},
      {"boot_time", parse_boot_time(stat).value_or(0)},
  };
  return boost::json::array{std::move(item)};
}

}  // namespace sentinel::agent::inventory
