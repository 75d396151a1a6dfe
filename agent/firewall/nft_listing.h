#pragma once
// Turns nft's text listing of `table inet sentinel` into what the agent reports and compares:
// a hash of everything but the set elements, and the element count of each static set.

#include <string_view>

#include "agent/firewall/firewall_table.h"

namespace sentinel::agent::firewall {

/// Reads a stateless `list table inet sentinel` (with elements): the `elements = { ... }` of
/// each set are cut out (what nft's terse mode leaves out) and counted, the rest is hashed
/// (SHA-256). Sets with `flags timeout` or `dynamic` are not counted. One listing instead of a
/// terse one plus a JSON one: with libnftables 1.0.6 every listing that includes sets dumps
/// all their elements from the kernel, terse or not, so each one costs as much as the
/// largest set. Pure and thread-safe.
TableListing listing_from_text(std::string_view text);

}  // namespace sentinel::agent::firewall
