#include "sentinel/scanner/found_results.h"

namespace sentinel::scanner {

FoundHost& FoundResults::entry(const scan::IpAddress& address) {
  FoundHost& host = pending_[address];
  host.address = address;
  return host;
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

}  // namespace sentinel::scanner
