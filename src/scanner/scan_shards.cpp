#include "scan_shards.h"

#include <algorithm>

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

}  // namespace sentinel::scanner
