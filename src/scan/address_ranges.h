#pragma once
// Set algebra on sorted lists of address ranges, shared by target sets and scopes.

#include <vector>

#include "sentinel/scan/ip_address.h"

namespace sentinel::scan {

/// Sorts `ranges` and merges overlapping and adjacent ones: the canonical form, in which ranges
/// are disjoint, non-adjacent and ascending (IPv4 before IPv6).
std::vector<AddressRange> normalize_ranges(std::vector<AddressRange> ranges);

/// The addresses of `from` that are not in `remove`; both must be in canonical form, and so is
/// the result.
std::vector<AddressRange> subtract_ranges(const std::vector<AddressRange>& from,
                                          const std::vector<AddressRange>& remove);

/// Total addresses of `ranges` of `family`, saturating at the largest Uint128.
Uint128 count_addresses(const std::vector<AddressRange>& ranges, AddressFamily family);

}  // namespace sentinel::scan
