#pragma once
// The stored feed contents, put where validation and compilation read them: every check for an
// agent (validate, preview, apply) knows what the enabled feeds hold now.

#include "sentinel/firewall/policy_service.h"
#include "sentinel/firewall/policy_validator.h"

namespace sentinel::firewall {

/// `context` with the contents `feeds` gives (unchanged when `feeds` is empty or gives none).
ValidationContext with_known_feeds(ValidationContext context, const KnownFeeds& feeds);

}  // namespace sentinel::firewall
