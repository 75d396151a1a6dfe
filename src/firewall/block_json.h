#pragma once
// The JSON form of a block, shared by the API and the bus topic "firewall".

#include <boost/json/object.hpp>
#include <cstdint>

#include "sentinel/firewall/block.h"

namespace sentinel::firewall {

/// {"id", "address", "scope", "agent_id", "group", "reason", "requested_by", "rule_id",
/// "alert_id", "offence", "requested_duration_s", "duration_s", "started_at", "expires_at",
/// "active", "remaining_s", "removed_at", "removed_by"}; times ISO-8601, activity as of `now_ms`.
boost::json::object block_json(const Block& block, std::int64_t now_ms);

}  // namespace sentinel::firewall
