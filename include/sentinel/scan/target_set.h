#pragma once
// What a scan visits: a parsed target list as sorted, merged address ranges, expanded lazily.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/host_resolver.h"
#include "sentinel/scan/ip_address.h"
#include "sentinel/scan/keyed_permutation.h"

namespace sentinel::scan {

/// Bounds that keep a parsed target set, and the scan it implies, to a sane size.
struct TargetLimits {
  /// IPv6 addresses after exclusions; more is refused (a scan cannot sweep a /64).
  std::uint64_t max_ipv6_addresses = std::uint64_t{1} << 24;
  /// Separate ranges one token may expand to (`1-254.1-254.0.1` fragments into many).
  std::size_t max_ranges_per_token = 65536;
  /// Separate ranges of the whole list before merging.
  std::size_t max_ranges = std::size_t{1} << 20;
  /// Distinct host names resolved.
  std::size_t max_host_names = 1024;
  /// Field names that errors carry, for the input the two lists came from.
  std::string targets_field = "targets";
  std::string exclude_field = "exclude";
};

/// A host name of the list and the addresses it resolved to at parse time.
struct ResolvedHost {
  std::string name;
  std::vector<IpAddress> addresses;
};

class ShuffledTargets;

/// A set of IPv4 and IPv6 addresses: canonical ranges (sorted, disjoint, merged, exclusions
/// removed) with random access by index. Immutable after construction; thread-safe to read.
class TargetSet {
 public:
  /// Parses `targets` and `exclude`, lists separated by commas or whitespace. A target is an
  /// address, a CIDR (`10.0.0.0/24`, host bits must be zero), a range (`10.0.0.5-40`,
  /// `10.0.1-3.0-255`, `10.0.0.5-10.0.0.80`, `2001:db8::1-2001:db8::ff`), a host name, or any
  /// of these after `!` to exclude it. Syntax errors come first, every bad token named in one
  /// kInvalidArgument; only then are host names resolved (once each, through `resolver`), and
  /// names that fail are reported the same way. An empty result, or one beyond `limits`, is an
  /// error too.
  static Result<TargetSet> parse(std::string_view targets, std::string_view exclude,
                                 HostResolver& resolver, const TargetLimits& limits = {});

  /// A set of ranges already known (a shard, a test); canonicalised, no limits applied.
  static TargetSet from_ranges(std::vector<AddressRange> ranges);

  /// Canonical ranges: ascending, disjoint, non-adjacent, IPv4 before IPv6.
  const std::vector<AddressRange>& ranges() const { return ranges_; }
  /// Number of addresses, saturating at UINT64_MAX (only huge from_ranges sets saturate).
  std::uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  /// The address at `index` (< size()) in ascending order.
  IpAddress at(std::uint64_t index) const;
  /// The index of `address` (the inverse of at()), or nullopt when it is not in the set.
  std::optional<std::uint64_t> index_of(IpAddress address) const;
  bool contains(IpAddress address) const;
  /// Host names of the list with their addresses (excluded addresses included), in list order.
  const std::vector<ResolvedHost>& resolved_hosts() const { return resolved_hosts_; }

  /// Every address once, in the pseudo-random order chosen by `seed`. The iterator refers to
  /// this set, which must outlive it.
  ShuffledTargets shuffled(std::uint64_t seed) const;

 private:
  explicit TargetSet(std::vector<AddressRange> ranges);

  std::vector<AddressRange> ranges_;
  // offsets_[i] = number of addresses in ranges_[0..i), for at().
  std::vector<std::uint64_t> offsets_;
  std::uint64_t size_ = 0;
  std::vector<ResolvedHost> resolved_hosts_;
};

/// A lazy walk over a TargetSet in keyed-permutation order. Not thread-safe; cheap to copy.
class ShuffledTargets {
 public:
  ShuffledTargets(const TargetSet& targets, std::uint64_t seed)
      : targets_(&targets), permutation_(targets.size(), seed) {}

  /// The next address, or false when every address has been returned.
  bool next(IpAddress& address) {
    if (position_ >= permutation_.size()) return false;
    address = targets_->at(permutation_.at(position_++));
    return true;
  }
  /// Addresses returned so far.
  std::uint64_t position() const { return position_; }

 private:
  const TargetSet* targets_;
  KeyedPermutation permutation_;
  std::uint64_t position_ = 0;
};

inline ShuffledTargets TargetSet::shuffled(std::uint64_t seed) const {
  return ShuffledTargets(*this, seed);
}

}  // namespace sentinel::scan
