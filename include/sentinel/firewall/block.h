#pragma once
// Active-response blocks as values (ADR 0006 "Active response and blocks"): one address dropped
// by the agents of a scope until an expiry, who asked for it and why, and repeat-offender
// escalation.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::firewall {

/// The longest block, escalation included: seven days.
inline constexpr std::int64_t kMaxBlockSeconds = 7 * 24 * 3600;
/// Earlier blocks of an address count as offences for this long.
inline constexpr std::int64_t kOffenceWindowMs = 24LL * 3600 * 1000;

/// Which agents drop the address: one agent, the agents of one group, or every agent.
enum class BlockScopeKind { kAgent, kGroup, kAll };

/// "agent", "group", "all".
std::string_view to_string(BlockScopeKind kind);

/// A block's scope. `value` is the agent id (kAgent) or the group name (kGroup); "" for kAll.
struct BlockScope {
  BlockScopeKind kind = BlockScopeKind::kAll;
  std::string value;
  friend bool operator==(const BlockScope&, const BlockScope&) = default;
};

/// Who asks for a block or an unblock: a person (`username`) or a detection rule (`rule_id`,
/// with the alert it raised). `source_address` is the client's, for the audit log.
struct BlockRequester {
  std::string username;
  std::string rule_id;
  std::optional<std::int64_t> alert_id;
  std::string source_address;
};

/// A block to make. `address` is text to parse strictly (one IPv4 or IPv6 address, no network);
/// `duration_s` is the base duration (1..kMaxBlockSeconds) before escalation.
struct BlockRequest {
  std::string address;
  std::int64_t duration_s = 0;
  BlockScope scope;
  std::string reason;
  BlockRequester requester;
};

/// A block as stored. Times are Unix milliseconds.
struct Block {
  std::int64_t id = 0;
  std::string address;  // canonical text
  BlockScope scope;
  std::string reason;
  std::string requested_by;  // the username, or "rule:" + the rule id
  std::string rule_id;       // "" for a person's block
  std::optional<std::int64_t> alert_id;
  int offence = 1;  // this is the nth block of the address within kOffenceWindowMs
  std::int64_t requested_duration_s = 0;
  std::int64_t duration_s = 0;  // after escalation
  std::int64_t started_ms = 0;
  std::int64_t expires_ms = 0;
  std::optional<std::int64_t> removed_ms;
  std::string removed_by;  // a username, or why it ended early ("superseded by block 7")

  /// Not removed and not yet expired at `now_ms`.
  bool active_at(std::int64_t now_ms) const { return !removed_ms && expires_ms > now_ms; }
  /// Whole seconds left at `now_ms` (rounded up, so an active block has at least 1); 0 when
  /// inactive.
  std::int64_t remaining_s(std::int64_t now_ms) const {
    return active_at(now_ms) ? (expires_ms - now_ms + 999) / 1000 : 0;
  }
};

/// An address an agent must hold in its block set, and for how much longer.
struct ActiveBlock {
  std::string address;
  std::int64_t remaining_s = 0;
  friend bool operator==(const ActiveBlock&, const ActiveBlock&) = default;
};

/// List filters. `active`: only active blocks (true), only ended ones (false), or all.
struct BlockFilter {
  std::optional<bool> active;
  std::int64_t limit = 100;  // 1..1000
  std::int64_t offset = 0;
};

/// One page, newest first; `total` counts every match.
struct BlockPage {
  std::vector<Block> items;
  std::int64_t total = 0;
};

/// The duration of the `offence`th block of an address within 24 h: base × 2^(offence-1),
/// capped at kMaxBlockSeconds. `offence` < 1 counts as 1.
std::int64_t escalated_duration_s(std::int64_t base_s, int offence);

}  // namespace sentinel::firewall
