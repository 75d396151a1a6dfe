#include "feed_allow_list.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "sentinel/firewall/address.h"

namespace sentinel::firewall {
namespace {

// The allow-list as sorted address intervals. CIDR blocks are nested or disjoint, so an entry
// overlaps [first, last] exactly when one starting at or before `last` ends at or after `first`.
class AllowedIntervals {
 public:
  explicit AllowedIntervals(const std::vector<AllowListEntry>& entries) {
    for (const AllowListEntry& entry : entries) {
      Result<IpNetwork> network = parse_ip_network(entry.cidr);
      if (!network) continue;
      auto& family = network->address.family == IpFamily::kV4 ? v4_ : v6_;
      family.push_back({network->first(), network->last(), entry.describe()});
    }
    for (auto* family : {&v4_, &v6_}) {
      std::sort(family->begin(), family->end(),
                [](const Interval& a, const Interval& b) { return a.first < b.first; });
      // Running maximum of `last`, with the entry that reaches it.
      for (std::size_t i = 1; i < family->size(); ++i) {
        if ((*family)[i - 1].reach > (*family)[i].last) {
          (*family)[i].reach = (*family)[i - 1].reach;
          (*family)[i].reach_name = (*family)[i - 1].reach_name;
        }
      }
    }
  }

  /// The entry that overlaps `network`, or nullptr.
  const std::string* overlapping(const IpNetwork& network) const {
    const auto& family = network.address.family == IpFamily::kV4 ? v4_ : v6_;
    const auto after = std::upper_bound(
        family.begin(), family.end(), network.last(),
        [](const Uint128& value, const Interval& interval) { return value < interval.first; });
    if (after == family.begin()) return nullptr;
    const Interval& candidate = *(after - 1);
    return candidate.reach >= network.first() ? &candidate.reach_name : nullptr;
  }

 private:
  struct Interval {
    Interval(Uint128 first_value, Uint128 last_value, std::string name)
        : first(first_value), last(last_value), reach(last_value), reach_name(std::move(name)) {}
    Uint128 first;
    Uint128 last;
    Uint128 reach;
    std::string reach_name;
  };
  std::vector<Interval> v4_;
  std::vector<Interval> v6_;
};

}  // namespace

void leave_out_allowed(FeedList& list, const std::vector<AllowListEntry>& entries,
                       std::size_t max_reported) {
  const AllowedIntervals allowed(entries);
  std::vector<IpNetwork> kept;
  kept.reserve(list.networks.size());
  for (const IpNetwork& network : list.networks) {
    const std::string* entry = allowed.overlapping(network);
    if (entry == nullptr) {
      kept.push_back(network);
      continue;
    }
    ++list.skipped;
    if (list.problems.size() < max_reported) {
      list.problems.push_back(
          {0, fmt::format("'{}' overlaps {}: left out", format_ip_network(network), *entry)});
    }
  }
  list.networks = std::move(kept);
}

}  // namespace sentinel::firewall
