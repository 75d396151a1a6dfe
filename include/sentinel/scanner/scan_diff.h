#pragma once
// What changed between two scans of the same targets and ports: the diff people read and the
// `scan.change` events detection rules see.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "sentinel/scanner/scan_job.h"

namespace sentinel::scanner {

/// The kinds of change, as `event.action` names them.
enum class ChangeAction : std::uint8_t {
  kHostNew,         // a host answered that did not before
  kHostGone,        // a host that answered no longer does
  kPortOpened,      // an open port that was not open before
  kPortClosed,      // a port that was open is not any more
  kServiceChanged,  // the same open port names another service, product or version
};

/// "host_new", "host_gone", "port_opened", "port_closed" or "service_changed".
std::string_view to_string(ChangeAction action);

/// One change. Host changes have no port; port changes carry the service before and after
/// where one was known.
struct ScanChange {
  ChangeAction action = ChangeAction::kHostNew;
  scan::IpAddress address;
  std::optional<std::uint16_t> port;
  scan::Protocol protocol = scan::Protocol::kTcp;
  std::optional<scan::ServiceInfo> before;
  std::optional<scan::ServiceInfo> after;
};

/// A job's changes against the previous completed job of the same scope (none: no previous).
struct ScanDiff {
  std::int64_t id = 0;
  std::optional<std::int64_t> previous_id;
  std::vector<ScanChange> changes;
};

/// One page of a job's changes in diff_scans() order; `total` counts every change and `counts`
/// every change of each kind (indexed by ChangeAction), not only the page's.
struct ScanDiffPage {
  std::int64_t id = 0;
  std::optional<std::int64_t> previous_id;
  std::vector<ScanChange> changes;
  std::int64_t total = 0;
  std::array<std::int64_t, 5> counts{};
};

/// The page `page` of `diff`, with its totals.
ScanDiffPage page_of(ScanDiff diff, const PageRequest& page);

/// Which hosts may come and go. A job that found live hosts first stores every host that is up,
/// ports or not; one that scanned every address (nmap -Pn, agents' shards, older jobs) only the
/// hosts that answered a port probe. Between two such different jobs a host without open ports
/// that is on one side only says nothing about the host, only about how it was looked for.
enum class HostBasis : std::uint8_t {
  kAll,            // both jobs found hosts the same way: every host counts
  kWithOpenPorts,  // they did not: a host on one side only counts when it has open ports there
};

/// The basis on which two jobs' hosts compare: kAll when both found live hosts first or neither
/// did (unknown counts as not), else kWithOpenPorts.
HostBasis host_basis(std::optional<bool> previous_discovery, std::optional<bool> current_discovery);
/// The basis on which two stored jobs' hosts compare (`previous` null: none stored): as above,
/// except that kWithOpenPorts when either job found live hosts first in only some of its shards
/// (`discovery_partial`), even against a job like it: which addresses were looked at which way
/// depends on which agent took which shard.
HostBasis host_basis(const ScanJob* previous, const ScanJob& current);

/// Compares two scans' results. A new host gives host_new and port_opened for each of its open
/// ports; a gone host gives host_gone and port_closed for each; a host in both gives
/// port_opened, port_closed and service_changed (service, product or version differ, and at
/// least one side named a service). Ports are keyed by protocol and number (udp/53 is not
/// tcp/53), and only open ports count: open|filtered ones are left out. Ordered by address, host
/// changes before port changes, then by protocol and port. With `basis` kWithOpenPorts a host on
/// one side only without open ports there gives no change. Pure; the inputs need not be sorted.
std::vector<ScanChange> diff_scans(const std::vector<FoundHost>& previous,
                                   const std::vector<FoundHost>& current,
                                   HostBasis basis = HostBasis::kAll);

}  // namespace sentinel::scanner
