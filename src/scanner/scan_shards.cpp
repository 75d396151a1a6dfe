#include "scan_shards.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace sentinel::scanner {

std::uint64_t shard_size_for(std::uint64_t addresses, std::size_t agents, std::uint64_t preferred) {
  const std::uint64_t share =
      agents == 0 ? addresses : (addresses + agents - 1) / static_cast<std::uint64_t>(agents);
  return std::max<std::uint64_t>(1, std::min(preferred, share));
}

std::vector<ShardSlice> cut_into_shards(const scan::TargetSet& targets, std::uint64_t size) {
  std::vector<ShardSlice> shards;
  if (size == 0) size = 1;
  ShardSlice current;
  const auto close = [&] {
    if (current.address_count == 0) return;
    current.index = static_cast<std::int64_t>(shards.size());
    shards.push_back(std::move(current));
    current = ShardSlice{};
  };
  for (const scan::AddressRange& range : targets.ranges()) {
    scan::IpAddress first = range.first;
    while (true) {
      // Addresses left in this range from `first`, capped at what the shard still takes.
      const scan::Uint128 left = range.last.value() - first.value() + 1;
      const std::uint64_t room = size - current.address_count;
      const std::uint64_t take =
          left < room ? static_cast<std::uint64_t>(left) : room;  // left >= 1, room >= 1
      const scan::IpAddress last = first.plus(take - 1);
      if (!current.targets.empty()) current.targets += ",";
      current.targets += scan::AddressRange{first, last}.to_string();
      current.address_count += take;
      if (current.address_count == size) close();
      if (last == range.last) break;
      first = last.plus(1);
    }
  }
  close();
  return shards;
}

NetworkSplit split_by_network(const scan::TargetSet& targets,
                              std::vector<scan::AddressRange> networks) {
  const auto by_place = [](const scan::AddressRange& a, const scan::AddressRange& b) {
    return std::pair(a.first, a.last) < std::pair(b.first, b.last);
  };
  std::sort(networks.begin(), networks.end(), by_place);
  networks.erase(std::unique(networks.begin(), networks.end()), networks.end());
  // Narrowest first: an address goes to the first network that holds it.
  std::stable_sort(
      networks.begin(), networks.end(),
      [](const scan::AddressRange& a, const scan::AddressRange& b) { return a.size() < b.size(); });
  NetworkSplit split;
  std::vector<scan::AddressRange> left = targets.ranges();
  for (const scan::AddressRange& network : networks) {
    std::vector<scan::AddressRange> inside;
    std::vector<scan::AddressRange> kept;
    for (const scan::AddressRange& range : left) {
      if (range.first.family() != network.first.family() || range.last < network.first ||
          network.last < range.first) {
        kept.push_back(range);
        continue;
      }
      const scan::IpAddress low = std::max(range.first, network.first);
      const scan::IpAddress high = std::min(range.last, network.last);
      inside.push_back({low, high});
      if (range.first < low) kept.push_back({range.first, low.minus(1)});
      if (high < range.last) kept.push_back({high.plus(1), range.last});
    }
    left = std::move(kept);
    if (!inside.empty()) {
      split.parts.push_back({network, scan::TargetSet::from_ranges(std::move(inside))});
    }
  }
  std::sort(split.parts.begin(), split.parts.end(),
            [&](const NetworkSplit::Part& a, const NetworkSplit::Part& b) {
              return by_place(a.network, b.network);
            });
  split.outside = std::move(left);
  return split;
}

Status require_covered(const NetworkSplit& split) {
  if (split.outside.empty()) return ok();
  constexpr std::size_t kNamed = 5;
  std::string named;
  for (std::size_t i = 0; i < split.outside.size() && i < kNamed; ++i) {
    named += (i == 0 ? "" : ", ") + split.outside[i].to_string();
  }
  if (split.outside.size() > kNamed) {
    named += fmt::format(" and {} more ranges", split.outside.size() - kNamed);
  }
  return invalid_argument(
      fmt::format("no agent sits in a network that holds {} (agents report their networks in the "
                  "'interfaces' section of their inventory; loopback and link-local ones do not "
                  "count)",
                  named),
      "agents.networks");
}

std::vector<ShardSlice> cut_along_networks(const NetworkSplit& split, std::uint64_t size) {
  std::vector<ShardSlice> shards;
  for (const NetworkSplit::Part& part : split.parts) {
    for (ShardSlice& slice : cut_into_shards(part.targets, size)) {
      slice.index = static_cast<std::int64_t>(shards.size());
      slice.network = part.network.to_string();
      shards.push_back(std::move(slice));
    }
  }
  return shards;
}

}  // namespace sentinel::scanner
