#pragma once
// The allow-list applied to a feed: a feed cannot block what the allow-list keeps reachable.

#include <cstddef>
#include <vector>

#include "sentinel/firewall/allow_list.h"
#include "sentinel/firewall/feed_list.h"

namespace sentinel::firewall {

/// Leaves out of `list` every network that overlaps an entry of `entries`: each counts as
/// skipped, and while `list` names fewer than `max_reported` problems it is named with the
/// entry (line 0: not a line of the feed). In n log m, so that a feed of 100,000 networks is
/// checked against 10,000 entries quickly. Pure.
void leave_out_allowed(FeedList& list, const std::vector<AllowListEntry>& entries,
                       std::size_t max_reported);

}  // namespace sentinel::firewall
