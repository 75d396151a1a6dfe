#pragma once
// From the engine's per-pair results to what a job stores, in one place for the server's jobs
// and the agents' shards: the hosts that answered, their open ports, and the UDP ports that
// stayed silent (open|filtered) on hosts that answered.

#include <cstdint>
#include <map>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "sentinel/scan/port_scanner.h"
#include "sentinel/scan/scan_report.h"
#include "sentinel/scanner/scan_job.h"

namespace sentinel::scanner {

/// Collects results as they come. A host counts as up once a port of it was open or closed (a
/// TCP reset, an ICMP port unreachable: either protocol). Open ports are kept at once;
/// open|filtered ports (silence) only once their host is up, because silence from a host that
/// never answered says nothing of it (nmap calls such a host down and lists none of its ports),
/// so they are held until it answers and dropped with the collector when it never does.
/// Filtered and closed ports are only counted by the engine. Not thread-safe: the owner locks.
class FoundResults {
 public:
  /// Records one pair's outcome.
  void add(const scan::PortResult& result);

  /// Counts `address` as up already (host discovery found it, and it is stored): its silent UDP
  /// ports are open|filtered from the start, as nmap lists them on a host its ping found.
  void mark_up(const scan::IpAddress& address) { up_.insert(address); }

  /// A host discovery found up that is not stored yet (an agent's shard): `host` holds its
  /// address, reason and MAC. It becomes reportable at once, with them, even without ports,
  /// and counts as up (mark_up).
  void add_up(const FoundHost& host);

  /// What became reportable since the owner last emptied it: hosts first seen up (maybe without
  /// ports) and ports found, by address; ports in the order found. The owner takes entries out.
  std::map<scan::IpAddress, FoundHost>& pending() { return pending_; }

  /// Open|filtered ports held for hosts that have not answered (yet).
  std::size_t held() const { return held_count_; }

 private:
  FoundHost& entry(const scan::IpAddress& address);

  std::map<scan::IpAddress, FoundHost> pending_;
  std::unordered_set<scan::IpAddress> up_;
  std::unordered_map<scan::IpAddress, std::vector<std::pair<scan::Protocol, std::uint16_t>>> held_;
  std::size_t held_count_ = 0;
};

/// An nmap report (a job of the nmap backend, an import) in the stored form: the hosts that are
/// up with their open and open|filtered ports, OS guesses and script outputs. Sets `counters`
/// to the report's pairs, open ports and hosts, every one done.
std::vector<FoundHost> found_hosts(const scan::ScanReport& report, JobCounters& counters);

}  // namespace sentinel::scanner
