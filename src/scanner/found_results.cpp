#include "sentinel/scanner/found_results.h"

namespace sentinel::scanner {

FoundHost& FoundResults::entry(const scan::IpAddress& address) {
  FoundHost& host = pending_[address];
  host.address = address;
  return host;
}

void FoundResults::add_up(const FoundHost& host) {
  FoundHost& found = entry(host.address);
  found.reason = host.reason;
  found.mac = host.mac;
  if (!up_.insert(host.address).second) return;
  // Discovery comes first; held silence of a host it finds later is open|filtered after all.
  if (auto held = held_.find(host.address); held != held_.end()) {
    for (const auto& [protocol, port] : held->second) {
      found.ports.push_back(
          {.port = port, .protocol = protocol, .state = scan::PortState::kOpenFiltered});
    }
    held_count_ -= held->second.size();
    held_.erase(held);
  }
}

void FoundResults::add(const scan::PortResult& result) {
  switch (result.state) {
    case scan::PortState::kFiltered:
      return;
    case scan::PortState::kOpenFiltered: {
      if (up_.count(result.address) == 0) {
        held_[result.address].emplace_back(result.protocol, result.port);
        ++held_count_;
        return;
      }
      entry(result.address)
          .ports.push_back(
              {.port = result.port, .protocol = result.protocol, .state = result.state});
      return;
    }
    case scan::PortState::kOpen:
    case scan::PortState::kClosed:
      break;
  }
  if (up_.insert(result.address).second) {
    FoundHost& host = entry(result.address);
    // The silent ports of a host that has now answered are open|filtered after all.
    if (auto held = held_.find(result.address); held != held_.end()) {
      for (const auto& [protocol, port] : held->second) {
        host.ports.push_back(
            {.port = port, .protocol = protocol, .state = scan::PortState::kOpenFiltered});
      }
      held_count_ -= held->second.size();
      held_.erase(held);
    }
  }
  if (result.state == scan::PortState::kOpen) {
    entry(result.address).ports.push_back({.port = result.port, .protocol = result.protocol});
  }
}

std::vector<FoundHost> found_hosts(const scan::ScanReport& report, JobCounters& counters) {
  counters = JobCounters{};
  std::vector<FoundHost> hosts;
  for (const scan::HostReport& host : report.hosts) {
    counters.pairs_total += static_cast<std::int64_t>(host.ports.size());
    if (!host.up) continue;
    // nmap's "user-set" is its -Pn: like our jobs without discovery, no reason.
    FoundHost found{.address = host.address,
                    .hostnames = host.hostnames,
                    .reason = host.reason == "user-set" ? "" : host.reason,
                    .mac = host.mac,
                    .os = host.os,
                    .os_accuracy = host.os_accuracy,
                    .scripts = host.scripts};
    for (const scan::PortReport& port : host.ports) {
      if (port.state != scan::PortState::kOpen && port.state != scan::PortState::kOpenFiltered) {
        continue;
      }
      found.ports.push_back({.port = port.port,
                             .protocol = port.protocol,
                             .state = port.state,
                             .service = port.service,
                             .tunnel = port.tunnel,
                             .tls = port.tls,
                             .scripts = port.scripts});
      if (port.state == scan::PortState::kOpen) ++counters.open_found;
    }
    hosts.push_back(std::move(found));
  }
  counters.pairs_done = counters.pairs_total;
  counters.hosts_total = static_cast<std::int64_t>(report.hosts.size());
  counters.hosts_done = counters.hosts_total;
  return hosts;
}

}  // namespace sentinel::scanner
