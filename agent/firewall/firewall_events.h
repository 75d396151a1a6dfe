#pragma once
// The agent events of the enforcer (ADR 0006): a rollback for want of a confirm and a drift
// repaired. Spooled like every other event, so that what happened offline reaches the server
// when the agent reconnects.

#include <boost/json/object.hpp>
#include <string_view>

#include "agent/firewall/firewall_state.h"

namespace sentinel::agent::firewall {

/// The event type and `event.action` of a repaired drift.
inline constexpr std::string_view kDriftAction = "firewall.drift";
/// The event type and `event.action` of a commit-confirm rollback.
inline constexpr std::string_view kRolledBackAction = "firewall.rolled_back";

/// `firewall.rolled_back`: `firewall.version` is the abandoned version,
/// `firewall.restored_version` the one back in force (absent when the table was deleted). Pure.
boost::json::object rolled_back_event(const RollBack& rolled_back);

/// `firewall.drift`: `firewall.drift.kind`, `firewall.version` (the one restored),
/// `firewall.listing_hash.found` (empty when the table was missing) and
/// `firewall.listing_hash.expected`. Pure.
boost::json::object drift_event(const Drift& drift);

}  // namespace sentinel::agent::firewall
