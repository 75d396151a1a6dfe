#pragma once
// What a feed's definition may hold, checked on create and on every update before anything is
// stored.

#include <filesystem>

#include "sentinel/common/result.h"
#include "sentinel/firewall/feed_service.h"

namespace sentinel::firewall {

/// kInvalidArgument naming the first field that is wrong: the name (the policy object-name
/// grammar), a source that is not taken (file sources lie inside `file_root`), a column for
/// anything but csv or none for csv, refresh_s out of bounds, a long or multi-line column or
/// description. Pure.
Status check_feed_definition(const FeedDefinition& definition,
                             const std::filesystem::path& file_root);

}  // namespace sentinel::firewall
