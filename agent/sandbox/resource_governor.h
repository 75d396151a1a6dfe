#pragma once
// Keeps the agent's own footprint within its caps: cgroup v2 limits when the agent's cgroup is
// delegated to it (systemd Delegate=yes), otherwise self-monitoring, in which collectors pause
// (back off) while the agent is over its CPU budget and shed work while over its memory cap.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"

namespace sentinel::agent {

/// Gives memory the process has freed back to the system. glibc keeps freed memory in its arenas;
/// after an inventory or a burst of events that is a few megabytes of idle resident memory.
void release_free_memory();

/// The caps; the agent config validates them with validate_limits().
struct ResourceLimits {
  std::int64_t memory_max_bytes = 64LL << 20;
  double cpu_max_percent = 5;  // of one core
};

/// Where the kernel's files are; overridable for tests.
struct ResourceGovernorOptions {
  /// The agent's cgroup v2 directory; empty: found from /proc/self/cgroup and mountinfo.
  std::string cgroup_dir;
  /// Where stat and status are read from.
  std::string proc_self_dir = "/proc/self";
};

/// How the caps are enforced.
enum class GovernorMode {
  kSelfMonitoring,  // sample() + backoff() + over_memory() only
  kCgroup,          // also memory.max, memory.high and cpu.max on a child cgroup of the agent
};

/// The agent's resource use.
struct ResourceSample {
  std::int64_t rss_bytes = 0;
  double cpu_percent = 0;  // of one core since the previous sample; includes reaped collectors
};

/// The governor. Thread-safe: the main loop samples, collectors ask for backoff(), a central
/// config change calls set_limits().
class ResourceGovernor {
 public:
  /// kInvalidArgument naming the field for caps that make no sense (memory below 4 MiB, CPU
  /// not above 0).
  static Status validate_limits(const ResourceLimits& limits);

  /// The real machine: /proc/self, the cgroup found from it, the system clock. Caps that do
  /// not validate are raised to the minimum.
  explicit ResourceGovernor(ResourceLimits limits);
  /// Injected files and clock (tests).
  ResourceGovernor(ResourceLimits limits, ResourceGovernorOptions options, const Clock& clock);

  /// Enforces the caps through cgroup v2 when this process's cgroup is writable: creates the
  /// child cgroup "agent" in it, moves the process there, enables the memory and cpu
  /// controllers and writes memory.max, memory.high (7/8 of max) and cpu.max. Returns what it
  /// set up ("cgroup v2 DIR: ..."), or kUnavailable saying why not (then self-monitoring
  /// only). Call once, before starting threads or collectors (they inherit the cgroup).
  Result<std::string> apply();
  GovernorMode mode() const;
  /// New caps from the next sample on; in cgroup mode also rewritten in the cgroup (if that
  /// fails, self-monitoring still applies them).
  void set_limits(ResourceLimits limits);
  /// RSS and the CPU use since the previous sample (the first: since construction); updates
  /// backoff() and over_memory(). What cannot be read keeps its previous value.
  ResourceSample sample();
  /// How long collectors should pause before their next step: zero while under the CPU
  /// budget, doubling from 100 ms up to 10 s with each sample over it.
  std::chrono::milliseconds backoff() const;
  /// Whether the last sample's RSS was above memory_max_bytes.
  bool over_memory() const;

 private:
  struct CpuReading {
    std::int64_t cpu_ms = 0;
    std::int64_t at_ms = 0;
  };

  Result<std::int64_t> read_cpu_ms() const;
  Result<std::int64_t> read_rss_bytes() const;
  Status write_cgroup_limits(const ResourceLimits& limits) const;

  const ResourceGovernorOptions options_;
  const SystemClock system_clock_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  ResourceLimits limits_;
  GovernorMode mode_ = GovernorMode::kSelfMonitoring;
  std::string cgroup_child_;  // in cgroup mode
  std::optional<CpuReading> previous_;
  ResourceSample last_;
  std::chrono::milliseconds backoff_{0};
  bool over_memory_ = false;
};

/// The cgroup v2 directory of a process from its /proc/<pid>/cgroup and mountinfo texts, or
/// kNotFound saying why (no unified hierarchy, not mounted, outside the mount).
Result<std::string> find_cgroup_v2_dir(std::string_view proc_cgroup, std::string_view mountinfo);

}  // namespace sentinel::agent
