#pragma once
// Who uses a feed: the policies whose newest version names it (a feed they need cannot be
// deleted) and the agents whose effective policy is one of them (they get it again when the
// feed's contents change).

#include <string>
#include <string_view>
#include <vector>

#include "sentinel/agents/agent_registry.h"
#include "sentinel/common/result.h"
#include "sentinel/firewall/feed_service.h"
#include "sentinel/store/database.h"

namespace sentinel::firewall {

/// The policies whose newest version has an address set filled from `feed`, by name.
Result<std::vector<FeedUser>> policies_using_feed(store::Connection& connection,
                                                  std::string_view feed);

/// The agents (not revoked) whose effective policy has an address set filled from `feed`.
Result<std::vector<std::string>> agents_using_feed(store::Database& database,
                                                   agents::AgentRegistry& registry,
                                                   std::string_view feed);

}  // namespace sentinel::firewall
