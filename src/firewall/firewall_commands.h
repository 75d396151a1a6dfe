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
};

/// Reads {"version","document_hash","listing_hash","sets":{NAME:COUNT},"blocks_kept"}.
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

/// {"addresses":[...],"duration_s"}.
boost::json::object block_args(const std::vector<std::string>& addresses, std::int64_t duration_s);

}  // namespace sentinel::firewall
