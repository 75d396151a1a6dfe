// The port table of UdpPayloads: runs of ports that have the same payloads, so that a table's
// size follows the number of port ranges in its file, not their width.

#include <algorithm>
#include <iterator>
#include <optional>
#include <utility>

#include "sentinel/scan/udp_payloads.h"

namespace sentinel::scan {
namespace {

/// For upper_bound over the runs: the first run that starts above a port.
constexpr auto starts_above = [](std::uint16_t port, const auto& run) { return port < run.first; };

}  // namespace

void UdpPayloads::index_ranges(std::vector<EntryRange> ranges) {
  std::stable_sort(ranges.begin(), ranges.end(),
                   [](const EntryRange& a, const EntryRange& b) { return a.low < b.low; });
  // A sweep over the ports: the payloads change only where a range starts or ends.
  std::vector<EntryRange> open;  // the ranges that cover `port`, in file order
  std::vector<std::uint32_t> payloads;
  std::size_t next = 0;
  std::uint32_t port = 0;
  while (next < ranges.size() || !open.empty()) {
    if (open.empty()) port = ranges[next].low;
    // The ranges that start here are in file order already: one merge, not an insert each
    // (which many ranges of one port would make quadratic).
    const auto starting = static_cast<std::ptrdiff_t>(open.size());
    for (; next < ranges.size() && ranges[next].low == port; ++next) open.push_back(ranges[next]);
    std::inplace_merge(
        open.begin(), open.begin() + starting, open.end(),
        [](const EntryRange& a, const EntryRange& b) { return a.payload < b.payload; });
    std::uint32_t until = next < ranges.size() ? ranges[next].low : std::uint32_t{65536};
    for (const EntryRange& range : open) until = std::min<std::uint32_t>(until, range.high + 1);
    payloads.clear();
    for (const EntryRange& range : open) payloads.push_back(range.payload);
    add_run(static_cast<std::uint16_t>(port), static_cast<std::uint16_t>(until - 1), payloads);
    port = until;
    std::erase_if(open, [&](const EntryRange& range) { return range.high < port; });
  }
}

void UdpPayloads::add_run(std::uint16_t first, std::uint16_t last,
                          const std::vector<std::uint32_t>& payloads) {
  // `udp 53,54` and `udp 1-9,10-20` cover one run each.
  if (!runs_.empty() && runs_.back().last + 1 == first &&
      std::equal(run_payloads_.begin() + runs_.back().begin,
                 run_payloads_.begin() + runs_.back().end, payloads.begin(), payloads.end())) {
    runs_.back().last = last;
    return;
  }
  const auto begin = static_cast<std::uint32_t>(run_payloads_.size());
  run_payloads_.insert(run_payloads_.end(), payloads.begin(), payloads.end());
  runs_.push_back({first, last, begin, static_cast<std::uint32_t>(run_payloads_.size())});
}

std::vector<std::string_view> UdpPayloads::for_port(std::uint16_t port) const {
  std::vector<std::string_view> found;
  const auto after = std::upper_bound(runs_.begin(), runs_.end(), port, starts_above);
  if (after == runs_.begin() || std::prev(after)->last < port) return found;
  for (std::uint32_t i = std::prev(after)->begin; i < std::prev(after)->end; ++i) {
    found.emplace_back(payloads_[run_payloads_[i]]);
  }
  return found;
}

void UdpPayloads::set(std::uint16_t port, std::vector<std::string> payloads) {
  // The run that holds `port`, if one does, is cut around it; the parts keep its payloads.
  auto at = std::upper_bound(runs_.begin(), runs_.end(), port, starts_above);
  std::vector<PortRun> pieces;
  std::optional<PortRun> above;
  if (at != runs_.begin() && std::prev(at)->last >= port) {
    const PortRun held = *std::prev(at);
    if (held.first < port) {
      pieces.push_back({held.first, static_cast<std::uint16_t>(port - 1), held.begin, held.end});
    }
    if (port < held.last) {
      above = PortRun{static_cast<std::uint16_t>(port + 1), held.last, held.begin, held.end};
    }
    at = runs_.erase(std::prev(at));
  }
  if (!payloads.empty()) {
    const auto begin = static_cast<std::uint32_t>(run_payloads_.size());
    for (std::string& payload : payloads) {
      run_payloads_.push_back(static_cast<std::uint32_t>(payloads_.size()));
      payloads_.push_back(std::move(payload));
    }
    pieces.push_back({port, port, begin, static_cast<std::uint32_t>(run_payloads_.size())});
  }
  if (above) pieces.push_back(*above);
  runs_.insert(at, pieces.begin(), pieces.end());
}

std::size_t UdpPayloads::port_count() const {
  std::size_t ports = 0;
  for (const PortRun& run : runs_) ports += std::size_t{run.last} - run.first + 1;
  return ports;
}

}  // namespace sentinel::scan
