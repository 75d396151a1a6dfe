#include "block_body.h"

#include "sentinel/gateway/http.h"

namespace sentinel::firewall {

Result<BlockRequest> parse_block_body(std::string_view body) {
  SENTINEL_ASSIGN(json, gateway::parse_json_object(
                            body, {"address", "duration_s", "agent_id", "group", "reason"}));
  BlockRequest request;
  SENTINEL_ASSIGN(address, gateway::required_string(json, "address"));
  request.address = std::move(address);
  SENTINEL_ASSIGN(duration, gateway::optional_integer(json, "duration_s"));
  if (!duration) {
    return invalid_argument("field 'duration_s' is required (seconds, 1 to 604800)", "duration_s");
  }
  request.duration_s = *duration;
  SENTINEL_ASSIGN(agent_id, gateway::optional_string(json, "agent_id"));
  SENTINEL_ASSIGN(group, gateway::optional_string(json, "group"));
  if (agent_id && group) {
    return invalid_argument("give agent_id or group, not both (neither: every agent)", "group");
  }
  if (agent_id) {
    if (agent_id->empty())
      return invalid_argument("field 'agent_id' must not be empty", "agent_id");
    request.scope = {BlockScopeKind::kAgent, std::move(*agent_id)};
  } else if (group) {
    request.scope = {BlockScopeKind::kGroup, std::move(*group)};
  }
  SENTINEL_ASSIGN(reason, gateway::optional_string(json, "reason"));
  request.reason = reason.value_or("");
  return request;
}

Result<AllowListBody> parse_allow_list_body(std::string_view body) {
  SENTINEL_ASSIGN(json, gateway::parse_json_object(body, {"cidr", "comment"}));
  AllowListBody out;
  SENTINEL_ASSIGN(cidr, gateway::required_string(json, "cidr"));
  out.cidr = std::move(cidr);
  SENTINEL_ASSIGN(comment, gateway::optional_string(json, "comment"));
  out.comment = comment.value_or("");
  return out;
}

}  // namespace sentinel::firewall
