#include "address_ranges.h"

#include <algorithm>

namespace sentinel::scan {

std::vector<AddressRange> normalize_ranges(std::vector<AddressRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const AddressRange& a, const AddressRange& b) { return a.first < b.first; });
  std::vector<AddressRange> merged;
  for (const AddressRange& range : ranges) {
    if (!merged.empty()) {
      AddressRange& back = merged.back();
      // Adjacent ranges merge too; `back.last` below its family maximum makes +1 safe.
      const bool touches =
          back.last.family() == range.first.family() &&
          (back.last >= range.first || back.last.value() + 1 == range.first.value());
      if (touches) {
        if (range.last > back.last) back.last = range.last;
        continue;
      }
    }
    merged.push_back(range);
  }
  return merged;
}

std::vector<AddressRange> subtract_ranges(const std::vector<AddressRange>& from,
                                          const std::vector<AddressRange>& remove) {
  std::vector<AddressRange> result;
  std::size_t r = 0;
  for (AddressRange piece : from) {
    // Skip removals entirely below this piece; they cannot touch later pieces either.
    while (r < remove.size() && remove[r].last < piece.first) ++r;
    bool left = true;
    for (std::size_t k = r; k < remove.size() && remove[k].first <= piece.last; ++k) {
      const AddressRange& cut = remove[k];
      if (cut.first > piece.first) result.push_back({piece.first, cut.first.minus(1)});
      if (cut.last >= piece.last) {
        left = false;
        break;
      }
      piece.first = cut.last.plus(1);
    }
    if (left) result.push_back(piece);
  }
  return result;
}

Uint128 count_addresses(const std::vector<AddressRange>& ranges, AddressFamily family) {
  const Uint128 max = ~Uint128{0};
  Uint128 total = 0;
  for (const AddressRange& range : ranges) {
    if (range.first.family() != family) continue;
    const Uint128 size = range.size();
    total = size > max - total ? max : total + size;
  }
  return total;
}

}  // namespace sentinel::scan
