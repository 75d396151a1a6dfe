#pragma once
// Runs nmap as a child process without a shell: arguments straight to execve, a bare
// environment, its own process group (a cancel or a timeout kills nmap and whatever it
// started), stdout collected up to a cap, progress read from the XML as it arrives.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::scanner {

/// How a run is watched.
struct NmapRunLimits {
  std::chrono::milliseconds timeout{3600 * 1000};
  std::size_t max_output = 64 << 20;
};

/// A progress line of nmap's XML: `<taskprogress task="SYN Stealth Scan" percent="59.00" .../>`.
struct NmapTaskProgress {
  std::string task;
  double percent = 0;
};

/// The task and percent of a `<taskprogress .../>` line; false for any other line.
bool parse_task_progress(std::string_view line, NmapTaskProgress& out);

/// The job's progress in 0..100 from a task's: discovery 0-5, port scans 5-60, service
/// detection 60-85, scripts and OS detection 85-99 (nmap reports each task on its own).
double overall_percent(const NmapTaskProgress& progress);

/// The job's phase for a task: "discovery", "ports", "services", "scripts" or "os"; "" for a
/// task not known.
std::string_view phase_of(const NmapTaskProgress& progress);

/// Runs `executable` with `arguments` and returns what it printed on stdout; `on_progress` is
/// called on this thread for each progress line. Errors (kUnavailable with reason "cancelled"
/// once `cancelled` turns true, or "timeout"; kInternal for a failed start, output beyond the
/// cap, or an exit status other than 0, quoting the end of stderr) come after the child and its
/// whole process group were killed and reaped.
Result<std::string> run_nmap(const std::string& executable,
                             const std::vector<std::string>& arguments, const NmapRunLimits& limits,
                             const std::atomic<bool>& cancelled,
                             const std::function<void(const NmapTaskProgress&)>& on_progress);

}  // namespace sentinel::scanner
