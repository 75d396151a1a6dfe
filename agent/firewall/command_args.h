#pragma once
// The arguments of the channel's firewall commands (ADR 0006 "Channel commands and agent
// events"), parsed strictly: every argument is checked for type and range before anything
// touches the table, unknown arguments are refused, and each message names the field at fault
// ("blocks[2].address: ..."). Nothing here ever reaches a shell: the nft text goes to
// libnftables after the scope guard, addresses are parsed and re-written canonically.

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "agent/firewall/firewall_state.h"
#include "sentinel/common/result.h"

namespace sentinel::agent::firewall {

/// The largest nft text accepted: a whole channel frame (4 MiB) could not carry more.
inline constexpr std::size_t kMaxNftTextBytes = 4 << 20;
/// The most addresses one command may name (the large lists are 100,000 entries).
inline constexpr std::size_t kMaxCommandAddresses = 100'000;
/// The longest commit-confirm grace period: a day.
inline constexpr std::int64_t kMaxGraceSeconds = 24 * 3600;

/// One block to (re)install: the canonical address and how long it lasts from now.
struct BlockEntry {
  std::string address;
  std::chrono::seconds ttl{0};

  friend bool operator==(const BlockEntry&, const BlockEntry&) = default;
};

/// `firewall_apply {"policy_id", "version", "document_hash", "nft", "grace_s", "blocks"?}`.
/// `policy_id` is kept as text (the server may use numbers or names); `blocks` may be absent.
struct ApplyArgs {
  std::string policy_id;
  PolicyRelease release;
  std::chrono::seconds grace{0};
  std::vector<BlockEntry> blocks;
};

/// `firewall_confirm {"version"}`.
struct ConfirmArgs {
  std::int64_t version = 0;
};

/// `firewall_block {"addresses", "duration_s"}`: distinct canonical addresses.
struct BlockArgs {
  std::vector<std::string> addresses;
  std::chrono::seconds duration{0};
};

/// `firewall_unblock {"addresses"}`: distinct canonical addresses.
struct UnblockArgs {
  std::vector<std::string> addresses;
};

/// Parses firewall_apply's arguments. The nft text must start as the policy compiler's does
/// (`table inet sentinel {}`, `delete table inet sentinel`), so that it replaces the table
/// rather than adding to it, and must pass the scope guard (only `inet sentinel`). Pure.
Result<ApplyArgs> parse_apply_args(const boost::json::object& args);

/// Parses firewall_confirm's arguments. Pure.
Result<ConfirmArgs> parse_confirm_args(const boost::json::object& args);

/// Parses firewall_block's arguments: 1 to kMaxCommandAddresses IPv4 or IPv6 host addresses
/// (no networks, no loopback or unspecified address: blocking those would cut the host off
/// itself), a duration of 1 s to the longest block. Pure.
Result<BlockArgs> parse_block_args(const boost::json::object& args);

/// Parses firewall_unblock's arguments (addresses as for firewall_block). Pure.
Result<UnblockArgs> parse_unblock_args(const boost::json::object& args);

/// Checks that firewall_status got no arguments. Pure.
Status parse_status_args(const boost::json::object& args);

}  // namespace sentinel::agent::firewall
