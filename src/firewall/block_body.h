#pragma once
// The bodies of POST /api/v1/firewall/blocks and POST /api/v1/firewall/allow-list. Pure
// functions of the body, so that they are unit tested without a server.

#include <string>
#include <string_view>

#include "sentinel/common/result.h"
#include "sentinel/firewall/block.h"

namespace sentinel::firewall {

/// Parses {"address": TEXT, "duration_s": INTEGER, "agent_id"?: TEXT, "group"?: TEXT,
/// "reason"?: TEXT} into a request without requester. No agent_id and no group: every agent;
/// both: an error. Types and presence are checked here, values by BlockService::block().
/// kInvalidArgument naming the field.
Result<BlockRequest> parse_block_body(std::string_view body);

/// An allow-list entry to add.
struct AllowListBody {
  std::string cidr;
  std::string comment;
};

/// Parses {"cidr": TEXT, "comment"?: TEXT}; kInvalidArgument naming the field.
Result<AllowListBody> parse_allow_list_body(std::string_view body);

}  // namespace sentinel::firewall
