#include "sentinel/scan/scan_scope.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "address_ranges.h"
#include "target_syntax.h"

namespace sentinel::scan {

Result<ScanScope> ScanScope::parse(std::string_view cidrs, std::string_view field) {
  std::vector<AddressRange> ranges;
  std::vector<std::string> problems;
  for (const std::string_view token : split_list(cidrs)) {
    auto range = parse_cidr(token);
    std::string problem = range ? mapped_v4_problem(*range) : range.error().message;
    if (!problem.empty()) {
      problems.push_back(fmt::format("scope entry {}: {}", quoted_piece(token), problem));
      continue;
    }
    ranges.push_back(*range);
  }
  if (problems.size() == 1) return invalid_argument(problems[0], std::string(field));
  if (!problems.empty()) {
    std::string message = fmt::format("{} invalid scope entries: ", problems.size());
    for (std::size_t i = 0; i < problems.size(); ++i) {
      message += (i > 0 ? "; " : "") + problems[i];
    }
    return invalid_argument(std::move(message), std::string(field));
  }
  return from_ranges(std::move(ranges));
}

ScanScope ScanScope::from_ranges(std::vector<AddressRange> ranges) {
  return ScanScope(normalize_ranges(std::move(ranges)));
}

std::vector<AddressRange> ScanScope::outside(const TargetSet& targets) const {
  return subtract_ranges(targets.ranges(), ranges_);
}

bool ScanScope::contains(IpAddress address) const {
  const auto after =
      std::upper_bound(ranges_.begin(), ranges_.end(), address,
                       [](IpAddress a, const AddressRange& range) { return a < range.first; });
  return after != ranges_.begin() && std::prev(after)->contains(address);
}

}  // namespace sentinel::scan
