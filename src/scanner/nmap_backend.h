#pragma once
// nmap as an optional backend (ADR 0005, "Scanner service"): what a job may ask of it (NSE
// scripts from nmap's own catalogue, never one that attacks, floods or talks to third
// parties; OS detection where raw sockets are allowed) and the argument list it runs with.
// Nothing here reaches a shell: the arguments go to execve one by one.

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/port_list.h"
#include "sentinel/scan/target_set.h"
#include "sentinel/scanner/scan_job.h"

namespace sentinel::scanner {

/// Where nmap and its script catalogue are (config `scanner.nmap_path`,
/// `scanner.nmap_script_db`) and how long a job may run.
struct NmapBackendOptions {
  std::string executable = "/usr/bin/nmap";
  std::string script_db = "/usr/share/nmap/scripts/script.db";
  std::chrono::seconds timeout{3600};
  std::size_t max_output = 64 << 20;  // bytes of XML one run may print
};

/// nmap's categories whose scripts a job may never run: they guess passwords, crash or flood
/// services, exploit them, fuzz them, or send packets to hosts that are not targets (broadcast,
/// external services).
inline constexpr std::string_view kRefusedScriptCategories[] = {
    "broadcast", "brute", "dos", "exploit", "external", "fuzzer", "intrusive"};

/// nmap's script catalogue (`script.db`): script name -> its categories. Immutable.
class NmapScriptCatalog {
 public:
  /// Reads `Entry { filename = "NAME.nse", categories = { "a", "b", } }` lines; other lines are
  /// skipped. kInvalidArgument for a file without one entry.
  static Result<NmapScriptCatalog> parse(std::string_view text);
  static Result<NmapScriptCatalog> load(const std::string& path);

  /// The scripts a job's `scripts` entries stand for, sorted: a script by name, or every script
  /// of a category. kInvalidArgument (field "nmap.scripts") naming each unknown entry and each
  /// script of a refused category (a category selector silently leaves those out).
  Result<std::vector<std::string>> expand(const std::vector<std::string>& entries) const;

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> categories_;
};

/// The backend: present when nmap and its catalogue were found at start.
class NmapBackend {
 public:
  /// kUnavailable when the executable or the catalogue is missing. nmap uses raw sockets when
  /// `allow_raw` and this process may open one (CAP_NET_RAW), else connect() only.
  static Result<NmapBackend> open(NmapBackendOptions options, bool allow_raw);

  /// What start_scan checks of a nmap job: known, allowed scripts; OS detection and UDP ports
  /// only with raw sockets. kInvalidArgument naming the field.
  Status check(const ScanRequest& request, const scan::PortList& ports) const;

  /// nmap's arguments (without the program name) for a checked job: XML to stdout, progress
  /// every second, no DNS, the addresses read from `target_file`; without `discovery`, -Pn
  /// (every address is port-scanned, none is pinged first); the job's caps as --max-rate and
  /// --max-parallelism.
  Result<std::vector<std::string>> arguments(const NmapOptions& nmap, const scan::PortList& ports,
                                             const std::string& target_file, bool discovery,
                                             const ProbeLimits& limits = {}) const;

  /// "nmap -Pn -sS -sU -sV -O --script" for a job's method column.
  std::string method(const NmapOptions& nmap, const scan::PortList& ports, bool discovery) const;

  const NmapBackendOptions& options() const { return options_; }
  bool raw() const { return raw_; }

 private:
  NmapBackend(NmapBackendOptions options, NmapScriptCatalog catalog, bool raw)
      : options_(std::move(options)), catalog_(std::move(catalog)), raw_(raw) {}

  NmapBackendOptions options_;
  NmapScriptCatalog catalog_;
  bool raw_;
};

/// nmap's target list for `targets`: one CIDR block or address per line (nmap takes no
/// arbitrary ranges).
std::string nmap_target_list(const scan::TargetSet& targets);

}  // namespace sentinel::scanner
