#pragma once
// The scope guard: the networks an admin allows to be scanned. Every address of a job must lie
// inside; the engine checks it again before sending anything.

#include <cstdint>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/ip_address.h"
#include "sentinel/scan/target_set.h"

namespace sentinel::scan {

/// Jobs with more addresses than this need an explicit confirmation (`confirm_large`); the
/// scanner service enforces it.
inline constexpr std::uint64_t kLargeScanAddresses = 65536;

/// Whether a target set of `address_count` addresses needs that confirmation.
inline bool needs_large_scan_confirmation(std::uint64_t address_count) {
  return address_count > kLargeScanAddresses;
}

/// A set of CIDR blocks (and single addresses). Immutable after construction; thread-safe.
class ScanScope {
 public:
  /// Parses CIDRs and addresses separated by commas or whitespace (`127.0.0.0/8, ::1`). Strict:
  /// host bits must be zero; every bad entry is named in one kInvalidArgument for `field`.
  static Result<ScanScope> parse(std::string_view cidrs, std::string_view field = "cidrs");
  /// A scope of the given ranges.
  static ScanScope from_ranges(std::vector<AddressRange> ranges);

  /// The parts of `targets` outside the scope, as canonical ranges; empty when all are inside.
  std::vector<AddressRange> outside(const TargetSet& targets) const;
  bool contains(IpAddress address) const;
  /// Canonical ranges of the scope.
  const std::vector<AddressRange>& ranges() const { return ranges_; }

 private:
  explicit ScanScope(std::vector<AddressRange> ranges) : ranges_(std::move(ranges)) {}

  std::vector<AddressRange> ranges_;
};

}  // namespace sentinel::scan
