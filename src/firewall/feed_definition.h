#pragma once
// What a feed's definition may hold, checked on create and on every update before anything is
// stored.

#include <filesystem>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/firewall/feed_service.h"
#include "sentinel/firewall/policy_problem.h"

namespace sentinel::firewall {

/// Every problem of the definition, in the order of its fields, each an error whose `path` is
/// the field and whose `code` says what is wrong: the name (the policy object-name grammar), a
/// source that is not taken (file sources lie inside `file_root`), a column for anything but
/// csv or none for csv, refresh_s out of bounds, a long or multi-line column or description.
/// Empty when the definition may be stored. Pure.
std::vector<Problem> check_feed_definition(const FeedDefinition& definition,
                                           const std::filesystem::path& file_root);

/// kInvalidArgument naming the first problem's field (`problems` is not empty). One problem: its
/// message; more: a message that counts them and names each (field and message).
Error invalid_feed_definition(const std::vector<Problem>& problems);

}  // namespace sentinel::firewall
