#include "agent/sandbox/resource_governor.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

namespace sentinel::agent {

void release_free_memory() { ::malloc_trim(0); }

namespace {

constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{10000};
constexpr std::int64_t kCpuPeriodMicros = 100000;
constexpr std::int64_t kMinMemoryBytes = 4LL << 20;
constexpr double kMinCpuPercent = 0.1;

ResourceLimits sane(ResourceLimits limits) {
  limits.memory_max_bytes = std::max(limits.memory_max_bytes, kMinMemoryBytes);
  if (!std::isfinite(limits.cpu_max_percent) || limits.cpu_max_percent < kMinCpuPercent) {
    limits.cpu_max_percent = kMinCpuPercent;
  }
  return limits;
}

/// memory.high throttles (reclaims) before memory.max kills: 7/8 of the cap.
std::int64_t high_of(const ResourceLimits& limits) { return limits.memory_max_bytes / 8 * 7; }

std::string cpu_max_of(const ResourceLimits& limits) {
  const auto quota =
      std::max<std::int64_t>(1000, std::llround(limits.cpu_max_percent / 100.0 * kCpuPeriodMicros));
  return fmt::format("{} {}", quota, kCpuPeriodMicros);
}

std::string describe(const ResourceLimits& limits) {
  return fmt::format("memory.max={} memory.high={} cpu.max=\"{}\"", limits.memory_max_bytes,
                     high_of(limits), cpu_max_of(limits));
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Writes a cgroup control file (which the kernel creates with the cgroup).
Status write_control(const std::string& path, std::string_view value) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return internal_error(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  const ssize_t written = ::write(fd, value.data(), value.size());
  const int error = errno;
  ::close(fd);
  if (written != static_cast<ssize_t>(value.size())) {
    return internal_error(
        fmt::format("cannot write '{}' to {}: {}", value, path, std::strerror(error)));
  }
  return ok();
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(separator, start), text.size());
    if (end > start) parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

/// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mount_path(std::string_view field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      const std::string_view digits = field.substr(i + 1, 3);
      if (std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '7'; })) {
        out.push_back(
            static_cast<char>((digits[0] - '0') * 64 + (digits[1] - '0') * 8 + (digits[2] - '0')));
        i += 3;
        continue;
      }
    }
    out.push_back(field[i]);
  }
  return out;
}

}  // namespace

Result<std::string> find_cgroup_v2_dir(std::string_view proc_cgroup, std::string_view mountinfo) {
  std::optional<std::string> cgroup_path;
  for (const std::string_view line : split(proc_cgroup, '\n')) {
    if (line.substr(0, 3) == "0::") cgroup_path = std::string(line.substr(3));
  }
  if (!cgroup_path) return not_found("the process is in no cgroup v2 hierarchy (cgroup v1 only)");
  for (const std::string_view line : split(mountinfo, '\n')) {
    const std::vector<std::string_view> fields = split(line, ' ');
    const auto dash = std::find(fields.begin(), fields.end(), "-");
    if (fields.size() < 5 || dash == fields.end() || dash + 1 == fields.end()) continue;
    if (*(dash + 1) != "cgroup2") continue;
    const std::string root = unescape_mount_path(fields[3]);
    const std::string mount_point = unescape_mount_path(fields[4]);
    std::string relative;
    if (root == "/") {
      relative = *cgroup_path;
    } else if (cgroup_path->rfind(root, 0) == 0 &&
               (cgroup_path->size() == root.size() || (*cgroup_path)[root.size()] == '/')) {
      relative = cgroup_path->substr(root.size());
    } else {
      continue;
    }
    if (relative == "/") relative.clear();
    return mount_point + relative;
  }
  return not_found(fmt::format("the cgroup v2 hierarchy of {} is not mounted here", *cgroup_path));
}

Status ResourceGovernor::validate_limits(const ResourceLimits& limits) {
  if (limits.memory_max_bytes < kMinMemoryBytes) {
    return invalid_argument("memory_max_bytes must be at least 4 MiB", "memory_max_bytes");
  }
  if (!std::isfinite(limits.cpu_max_percent) || limits.cpu_max_percent <= 0) {
    return invalid_argument("cpu_max_percent must be above 0", "cpu_max_percent");
  }
  return ok();
}

ResourceGovernor::ResourceGovernor(ResourceLimits limits)
    : ResourceGovernor(limits, ResourceGovernorOptions{}, system_clock_) {}

ResourceGovernor::ResourceGovernor(ResourceLimits limits, ResourceGovernorOptions options,
                                   const Clock& clock)
    : options_(std::move(options)), clock_(clock), limits_(sane(limits)) {
  if (auto cpu = read_cpu_ms()) previous_ = CpuReading{*cpu, clock_.now_ms()};
}

Result<std::string> ResourceGovernor::apply() {
  const auto fallback = [](std::string why) { return unavailable(std::move(why)); };
  std::string dir = options_.cgroup_dir;
  if (dir.empty()) {
    auto cgroup = read_file("/proc/self/cgroup");
    auto mountinfo = read_file("/proc/self/mountinfo");
    if (!cgroup || !mountinfo) return fallback("cannot read /proc/self/cgroup or mountinfo");
    auto found = find_cgroup_v2_dir(*cgroup, *mountinfo);
    if (!found) return fallback(found.error().message);
    dir = std::move(*found);
  }
  auto controllers = read_file(dir + "/cgroup.controllers");
  if (!controllers) return fallback(controllers.error().message);
  const std::vector<std::string_view> available =
      split(std::string_view(*controllers).substr(0, controllers->find('\n')), ' ');
  for (const std::string_view needed : {"memory", "cpu"}) {
    if (std::find(available.begin(), available.end(), needed) == available.end()) {
      return fallback(
          fmt::format("the {} controller is not available in {} (not delegated)", needed, dir));
    }
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    return fallback(fmt::format("{} is not writable by the agent (not delegated)", dir));
  }
  // cgroup v2 allows processes only in leaves once controllers are enabled for children:
  // move into a child first, then enable memory and cpu for it.
  const std::string child = dir + "/agent";
  if (::mkdir(child.c_str(), 0755) != 0 && errno != EEXIST) {
    return fallback(fmt::format("cannot create {}: {}", child, std::strerror(errno)));
  }
  if (Status moved = write_control(child + "/cgroup.procs", fmt::format("{}", ::getpid()));
      !moved) {
    return fallback(moved.error().message);
  }
  if (Status enabled = write_control(dir + "/cgroup.subtree_control", "+memory +cpu"); !enabled) {
    return fallback(enabled.error().message);
  }
  const std::lock_guard lock(mutex_);
  cgroup_child_ = child;
  if (Status written = write_cgroup_limits(limits_); !written) {
    cgroup_child_.clear();
    return fallback(written.error().message);
  }
  mode_ = GovernorMode::kCgroup;
  return fmt::format("cgroup v2 {}: {}", child, describe(limits_));
}

GovernorMode ResourceGovernor::mode() const {
  const std::lock_guard lock(mutex_);
  return mode_;
}

void ResourceGovernor::set_limits(ResourceLimits limits) {
  const std::lock_guard lock(mutex_);
  limits_ = sane(limits);
  if (mode_ == GovernorMode::kCgroup) (void)write_cgroup_limits(limits_);
}

Status ResourceGovernor::write_cgroup_limits(const ResourceLimits& limits) const {
  SENTINEL_TRY(
      write_control(cgroup_child_ + "/memory.max", fmt::format("{}", limits.memory_max_bytes)));
  SENTINEL_TRY(write_control(cgroup_child_ + "/memory.high", fmt::format("{}", high_of(limits))));
  return write_control(cgroup_child_ + "/cpu.max", cpu_max_of(limits));
}

Result<std::int64_t> ResourceGovernor::read_cpu_ms() const {
  const std::string path = options_.proc_self_dir + "/stat";
  SENTINEL_ASSIGN(stat, read_file(path));
  // The command name (field 2) may hold spaces and parentheses: fields are counted after the
  // last ')'. There, utime stime cutime cstime are the 12th to 15th.
  const std::size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return internal_error(fmt::format("{}: unexpected format", path));
  const std::vector<std::string_view> fields = split(std::string_view(stat).substr(paren + 1), ' ');
  if (fields.size() < 15) return internal_error(fmt::format("{}: unexpected format", path));
  std::int64_t ticks = 0;
  for (std::size_t i = 11; i <= 14; ++i) ticks += std::atoll(std::string(fields[i]).c_str());
  const long per_second = ::sysconf(_SC_CLK_TCK);
  return ticks * 1000 / (per_second > 0 ? per_second : 100);
}

Result<std::int64_t> ResourceGovernor::read_rss_bytes() const {
  const std::string path = options_.proc_self_dir + "/status";
  SENTINEL_ASSIGN(status, read_file(path));
  const std::size_t line = status.find("\nVmRSS:");
  if (line == std::string::npos) return internal_error(fmt::format("{}: no VmRSS", path));
  return std::atoll(status.c_str() + line + 7) * 1024;
}

ResourceSample ResourceGovernor::sample() {
  auto cpu_ms = read_cpu_ms();
  auto rss_bytes = read_rss_bytes();
  const std::int64_t now = clock_.now_ms();
  const std::lock_guard lock(mutex_);
  ResourceSample sample = last_;
  if (rss_bytes) sample.rss_bytes = *rss_bytes;
  if (cpu_ms) {
    sample.cpu_percent = 0;
    if (previous_ && now > previous_->at_ms) {
      sample.cpu_percent =
          static_cast<double>(std::max<std::int64_t>(0, *cpu_ms - previous_->cpu_ms)) * 100.0 /
          static_cast<double>(now - previous_->at_ms);
    }
    previous_ = CpuReading{*cpu_ms, now};
  }
  if (sample.cpu_percent > limits_.cpu_max_percent) {
    backoff_ = backoff_.count() == 0 ? kFirstBackoff : std::min(backoff_ * 2, kMaxBackoff);
  } else {
    backoff_ = std::chrono::milliseconds(0);
  }
  over_memory_ = sample.rss_bytes > limits_.memory_max_bytes;
  last_ = sample;
  return sample;
}

std::chrono::milliseconds ResourceGovernor::backoff() const {
  const std::lock_guard lock(mutex_);
  return backoff_;
}

bool ResourceGovernor::over_memory() const {
  const std::lock_guard lock(mutex_);
  return over_memory_;
}

}  // namespace sentinel::agent
