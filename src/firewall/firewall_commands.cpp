#include "firewall_commands.h"

#include <fmt/format.h>

#include <boost/json/array.hpp>

#include "logger.h"
#include "sentinel/firewall/feed_list.h"

namespace sentinel::firewall {
namespace {

// Bounds that keep a confused or hostile agent's answer cheap to refuse.
constexpr std::size_t kMaxSets = 10'000;
constexpr std::size_t kMaxNameBytes = 128;
constexpr std::size_t kMaxHashBytes = 128;
constexpr std::size_t kMaxBlocks = 2'000'000;
constexpr std::size_t kMaxAddressBytes = 64;
constexpr std::size_t kMaxReasonBytes = 200;

Error bad(std::string_view command, std::string_view field, std::string_view what) {
  return invalid_argument(fmt::format("{} result: '{}' {}", command, field, what),
                          std::string(field));
}

Result<std::int64_t> integer_field(const boost::json::object& object, std::string_view command,
                                   std::string_view key, std::int64_t min) {
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr) return bad(command, key, "is missing");
  if (value->is_int64() && value->get_int64() >= min) return value->get_int64();
  if (value->is_uint64() && value->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX) &&
      static_cast<std::int64_t>(value->get_uint64()) >= min) {
    return static_cast<std::int64_t>(value->get_uint64());
  }
  return bad(command, key, fmt::format("must be an integer of at least {}", min));
}

Result<std::optional<std::int64_t>> optional_version(const boost::json::object& object,
                                                     std::string_view command,
                                                     std::string_view key) {
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr) return bad(command, key, "is missing (null when there is none)");
  if (value->is_null()) return std::optional<std::int64_t>();
  SENTINEL_ASSIGN(number, integer_field(object, command, key, 1));
  return std::optional<std::int64_t>(number);
}

Result<std::string> text_field(const boost::json::object& object, std::string_view command,
                               std::string_view key, std::size_t max_bytes) {
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr) return bad(command, key, "is missing");
  if (!value->is_string()) return bad(command, key, "must be a string");
  if (value->get_string().size() > max_bytes) {
    return bad(command, key, fmt::format("is longer than {} bytes", max_bytes));
  }
  return std::string(value->get_string());
}

Result<std::map<std::string, std::int64_t>> sets_field(const boost::json::object& object,
                                                       std::string_view command) {
  const boost::json::value* value = object.if_contains("sets");
  if (value == nullptr) return bad(command, "sets", "is missing");
  if (!value->is_object()) return bad(command, "sets", "must be an object of set name -> count");
  const boost::json::object& sets = value->get_object();
  if (sets.size() > kMaxSets) return bad(command, "sets", "holds too many sets");
  std::map<std::string, std::int64_t> out;
  for (const auto& [name, count] : sets) {
    if (name.empty() || name.size() > kMaxNameBytes) {
      return bad(command, "sets", "holds a set name that is empty or too long");
    }
    const std::string key(name);
    if (count.is_int64() && count.get_int64() >= 0) {
      out[key] = count.get_int64();
    } else if (count.is_uint64() && count.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      out[key] = static_cast<std::int64_t>(count.get_uint64());
    } else {
      return bad(command, "sets",
                 fmt::format("count of '{}' must be a non-negative integer",
                             key.substr(0, kMaxNameBytes)));
    }
  }
  return out;
}

}  // namespace

boost::json::object apply_args(const ApplyCommand& command) {
  boost::json::array blocks;
  for (const BlockToSend& block : command.blocks) {
    blocks.push_back(
        boost::json::object{{"address", block.address}, {"remaining_s", block.remaining_s}});
  }
  return {{"policy_id", command.policy_id},
          {"version", command.version},
          {"document_hash", command.document_hash},
          {"nft", command.nft},
          {"grace_s", command.grace_s},
          {"blocks", std::move(blocks)}};
}

Result<ApplyReport> parse_apply_result(const boost::json::object& result) {
  constexpr std::string_view kCommand = kApplyCommand;
  ApplyReport report;
  SENTINEL_ASSIGN(version, integer_field(result, kCommand, "version", 1));
  SENTINEL_ASSIGN(document_hash, text_field(result, kCommand, "document_hash", kMaxHashBytes));
  SENTINEL_ASSIGN(listing_hash, text_field(result, kCommand, "listing_hash", kMaxHashBytes));
  SENTINEL_ASSIGN(sets, sets_field(result, kCommand));
  SENTINEL_ASSIGN(blocks_kept, integer_field(result, kCommand, "blocks_kept", 0));
  report.version = version;
  report.document_hash = std::move(document_hash);
  report.listing_hash = std::move(listing_hash);
  report.sets = std::move(sets);
  report.blocks_kept = blocks_kept;
  SENTINEL_ASSIGN(left_out, parse_left_out(result, kCommand));
  report.left_out = std::move(left_out);
  return report;
}

Result<std::vector<LeftOutBlock>> parse_left_out(const boost::json::object& result,
                                                 std::string_view command) {
  std::vector<LeftOutBlock> out;
  const boost::json::value* left_out = result.if_contains("left_out");
  if (left_out == nullptr) return out;
  if (!left_out->is_array()) return bad(command, "left_out", "must be an array");
  if (left_out->get_array().size() > kMaxBlocks) return bad(command, "left_out", "is too long");
  for (const boost::json::value& item : left_out->get_array()) {
    if (!item.is_object()) return bad(command, "left_out", "must hold objects");
    const boost::json::object& entry = item.get_object();
    SENTINEL_ASSIGN(address, text_field(entry, command, "address", kMaxAddressBytes));
    SENTINEL_ASSIGN(reason, text_field(entry, command, "reason", kMaxReasonBytes));
    out.push_back({printable_ascii(address), printable_ascii(reason)});
  }
  return out;
}

void warn_left_out(std::string_view agent_id, std::string_view command,
                   const std::vector<LeftOutBlock>& left_out) {
  for (const LeftOutBlock& each : left_out) {
    firewall_log().warn("blocks left out agent={} command={} address={} reason=\"{}\"", agent_id,
                        command, each.address, each.reason);
  }
}

boost::json::object confirm_args(std::int64_t version) { return {{"version", version}}; }

Result<std::int64_t> parse_confirm_result(const boost::json::object& result) {
  return integer_field(result, kConfirmCommand, "confirmed_version", 1);
}

Result<AgentFirewallReport> parse_status_result(const boost::json::object& result) {
  constexpr std::string_view kCommand = kStatusCommand;
  AgentFirewallReport report;
  SENTINEL_ASSIGN(confirmed, optional_version(result, kCommand, "confirmed_version"));
  SENTINEL_ASSIGN(pending, optional_version(result, kCommand, "pending_version"));
  SENTINEL_ASSIGN(listing_hash, text_field(result, kCommand, "listing_hash", kMaxHashBytes));
  SENTINEL_ASSIGN(sets, sets_field(result, kCommand));
  report.confirmed_version = confirmed;
  report.pending_version = pending;
  report.listing_hash = std::move(listing_hash);
  report.sets = std::move(sets);
  const boost::json::value* blocks = result.if_contains("blocks");
  if (blocks == nullptr) return bad(kCommand, "blocks", "is missing");
  if (!blocks->is_array()) return bad(kCommand, "blocks", "must be an array");
  if (blocks->get_array().size() > kMaxBlocks) return bad(kCommand, "blocks", "is too long");
  for (const boost::json::value& item : blocks->get_array()) {
    if (!item.is_object()) return bad(kCommand, "blocks", "must hold objects");
    const boost::json::object& block = item.get_object();
    SENTINEL_ASSIGN(address, text_field(block, kCommand, "address", kMaxAddressBytes));
    SENTINEL_ASSIGN(expires_s, integer_field(block, kCommand, "expires_s", 0));
    report.blocks.push_back({std::move(address), expires_s});
  }
  return report;
}

boost::json::object block_args(const std::vector<std::string>& addresses, std::int64_t duration_s) {
  boost::json::array list;
  for (const std::string& address : addresses) list.emplace_back(address);
  return {{"addresses", std::move(list)}, {"duration_s", duration_s}};
}

}  // namespace sentinel::firewall
