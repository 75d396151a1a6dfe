#pragma once
// The channel commands of ADR 0006 ("Channel commands and agent events"): the arguments the
// server sends and strict readers of what agents answer (untrusted input: every type checked,
// every error naming the field; keys not listed are ignored so that a newer agent may report
// more).

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/firewall/policy_service.h"

namespace sentinel::firewall {

inline constexpr std::string_view kApplyCommand = "firewall_apply";
inline constexpr std::string_view kConfirmCommand = "firewall_confirm";
inline constexpr std::string_view kStatusCommand = "firewall_status";
inline constexpr std::string_view kBlockCommand = "firewall_block";

/// An address an agent left out of a block, and its reason ("the server this agent reports to
/// (203.0.113.5)"), or one the server left out for an agent (block_dispatcher.h).
struct LeftOutBlock {
  std::string address;
  std::string reason;

  friend bool operator==(const LeftOutBlock&, const LeftOutBlock&) = default;
};

/// What a `firewall_apply` carries.
struct ApplyCommand {
  std::int64_t policy_id = 0;
  std::int64_t version = 0;
  std::string document_hash;
  std::string nft;
  std::int64_t grace_s = 60;
  std::vector<BlockToSend> blocks;
};

/// {"policy_id","version","document_hash","nft","grace_s","blocks":[{"address","remaining_s"}]}.
boost::json::object apply_args(const ApplyCommand& command);

/// The agent's answer to `firewall_apply`.
struct ApplyReport {
  std::int64_t version = 0;
  std::string document_hash;
  std::string listing_hash;
  std::map<std::string, std::int64_t> sets;
  std::int64_t blocks_kept = 0;
  std::vector<LeftOutBlock> left_out;
};

/// Reads {"version","document_hash","listing_hash","sets":{NAME:COUNT},"blocks_kept",
/// "left_out"?} (left_out as parse_left_out reads it).
Result<ApplyReport> parse_apply_result(const boost::json::object& result);

/// {"version"}.
boost::json::object confirm_args(std::int64_t version);

/// Reads {"confirmed_version"}.
Result<std::int64_t> parse_confirm_result(const boost::json::object& result);

/// A block the agent holds, with the seconds until the kernel drops it.
struct HeldBlock {
  std::string address;
  std::int64_t expires_s = 0;
};

/// The agent's answer to `firewall_status`.
struct AgentFirewallReport {
  std::optional<std::int64_t> confirmed_version;
  std::optional<std::int64_t> pending_version;
  std::string listing_hash;  // empty: the table is missing
  std::map<std::string, std::int64_t> sets;
  std::vector<HeldBlock> blocks;
};

/// Reads {"confirmed_version","pending_version","listing_hash","sets","blocks"}.
Result<AgentFirewallReport> parse_status_result(const boost::json::object& result);

/// The optional "left_out": [{"address","reason"}] of a `firewall_block` or `firewall_apply`
/// answer: the blocks the agent did not apply because they would cut it off from the server.
/// Absent (an older agent) is none; the text is kept printable ASCII, bounded. `command` names
/// the command in errors.
Result<std::vector<LeftOutBlock>> parse_left_out(const boost::json::object& result,
                                                 std::string_view command);

/// The one warning line for blocks left out on an agent ("blocks left out agent=... command=...
/// address=... reason=\"...\"", one per address).
void warn_left_out(std::string_view agent_id, std::string_view command,
                   const std::vector<LeftOutBlock>& left_out);

/// {"addresses":[...],"duration_s"}.
boost::json::object block_args(const std::vector<std::string>& addresses, std::int64_t duration_s);

}  // namespace sentinel::firewall
