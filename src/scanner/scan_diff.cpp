#include "sentinel/scanner/scan_diff.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <tuple>
#include <utility>

namespace sentinel::scanner {
namespace {

using PortKey = std::pair<scan::Protocol, std::uint16_t>;
using PortMap = std::map<PortKey, const FoundPort*>;

std::map<scan::IpAddress, const FoundHost*> by_address(const std::vector<FoundHost>& hosts) {
  std::map<scan::IpAddress, const FoundHost*> out;
  for (const FoundHost& host : hosts) out.emplace(host.address, &host);
  return out;
}

// The open ports of a host. An open|filtered port is not known to be open: one that comes or
// goes says little (a UDP service that ignored this probe, a dropped datagram), so the diff
// leaves it out; one that turns open is opened, an open one that falls silent is closed.
PortMap ports_of(const FoundHost* host) {
  PortMap out;
  if (host == nullptr) return out;
  for (const FoundPort& port : host->ports) {
    if (port.state != scan::PortState::kOpen) continue;
    out.emplace(PortKey{port.protocol, port.port}, &port);
  }
  return out;
}

// What identifies a service for the diff: name, product and version (extra info and CPEs vary
// between probes without the service changing).
std::tuple<std::string, std::string, std::string> identity(const FoundPort& port) {
  if (!port.service) return {};
  return {port.service->service, port.service->product, port.service->version};
}

ScanChange port_change(ChangeAction action, scan::IpAddress address, const FoundPort& port) {
  ScanChange change{
      .action = action, .address = address, .port = port.port, .protocol = port.protocol};
  if (action == ChangeAction::kPortOpened) {
    change.after = port.service;
  } else {
    change.before = port.service;
  }
  return change;
}

}  // namespace

std::string_view to_string(ChangeAction action) {
  switch (action) {
    case ChangeAction::kHostNew:
      return "host_new";
    case ChangeAction::kHostGone:
      return "host_gone";
    case ChangeAction::kPortOpened:
      return "port_opened";
    case ChangeAction::kPortClosed:
      return "port_closed";
    case ChangeAction::kServiceChanged:
      return "service_changed";
  }
  return "service_changed";
}

HostBasis host_basis(std::optional<bool> previous_discovery,
                     std::optional<bool> current_discovery) {
  return previous_discovery.value_or(false) == current_discovery.value_or(false)
             ? HostBasis::kAll
             : HostBasis::kWithOpenPorts;
}

HostBasis host_basis(const ScanJob* previous, const ScanJob& current) {
  if (current.discovery_partial || (previous != nullptr && previous->discovery_partial)) {
    return HostBasis::kWithOpenPorts;
  }
  return host_basis(previous != nullptr ? previous->discovery : std::optional<bool>(),
                    current.discovery);
}

std::vector<ScanChange> diff_scans(const std::vector<FoundHost>& previous,
                                   const std::vector<FoundHost>& current, HostBasis basis) {
  const auto before = by_address(previous);
  const auto after = by_address(current);
  std::map<scan::IpAddress, std::pair<const FoundHost*, const FoundHost*>> hosts;
  for (const auto& [address, host] : before) hosts[address].first = host;
  for (const auto& [address, host] : after) hosts[address].second = host;

  std::vector<ScanChange> changes;
  for (const auto& [address, pair] : hosts) {
    const auto& [old_host, new_host] = pair;
    const PortMap old_ports = ports_of(old_host);
    const PortMap new_ports = ports_of(new_host);
    // Up without open ports on the side that looked for live hosts, and absent from the side
    // that did not look: not a change of the host.
    const bool counts = basis == HostBasis::kAll || !old_ports.empty() || !new_ports.empty();
    if (old_host == nullptr && counts) {
      changes.push_back({.action = ChangeAction::kHostNew, .address = address});
    } else if (new_host == nullptr && counts) {
      changes.push_back({.action = ChangeAction::kHostGone, .address = address});
    }
    std::map<PortKey, std::pair<const FoundPort*, const FoundPort*>> ports;
    for (const auto& [key, port] : old_ports) ports[key].first = port;
    for (const auto& [key, port] : new_ports) ports[key].second = port;
    for (const auto& [key, port_pair] : ports) {
      const auto& [old_port, new_port] = port_pair;
      if (old_port == nullptr) {
        changes.push_back(port_change(ChangeAction::kPortOpened, address, *new_port));
      } else if (new_port == nullptr) {
        changes.push_back(port_change(ChangeAction::kPortClosed, address, *old_port));
      } else if (identity(*old_port) != identity(*new_port)) {
        changes.push_back({.action = ChangeAction::kServiceChanged,
                           .address = address,
                           .port = key.second,
                           .protocol = key.first,
                           .before = old_port->service,
                           .after = new_port->service});
      }
    }
  }
  return changes;
}

ScanDiffPage page_of(ScanDiff diff, const PageRequest& page) {
  ScanDiffPage out{.id = diff.id,
                   .previous_id = diff.previous_id,
                   .total = static_cast<std::int64_t>(diff.changes.size())};
  for (const ScanChange& change : diff.changes)
    ++out.counts.at(static_cast<std::size_t>(change.action));
  const auto size = diff.changes.size();
  const auto first =
      std::min(static_cast<std::size_t>(std::max<std::int64_t>(page.offset, 0)), size);
  const auto last =
      std::min(first + static_cast<std::size_t>(std::max<std::int64_t>(page.limit, 0)), size);
  out.changes.assign(
      std::make_move_iterator(diff.changes.begin() + static_cast<std::ptrdiff_t>(first)),
      std::make_move_iterator(diff.changes.begin() + static_cast<std::ptrdiff_t>(last)));
  return out;
}

}  // namespace sentinel::scanner
