#pragma once
// The agent's firewall events as they arrive on the bus topic "event" (ADR 0006 "Channel
// commands and agent events"): `firewall.drift` and `firewall.rolled_back`. Agents send their
// fields flat ("firewall.version": "3") or nested; both are read, numbers as numbers or text.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace sentinel::firewall {

/// The agent found its table changed or missing and restored it.
struct DriftEvent {
  std::string agent_id;
  std::int64_t time_ms = 0;
  std::string kind;  // firewall.drift.kind
  std::optional<std::int64_t> version;
  std::string found_hash;
  std::string expected_hash;
};

/// The agent abandoned an apply that was not confirmed in time.
struct RollbackEvent {
  std::string agent_id;
  std::int64_t time_ms = 0;
  std::optional<std::int64_t> abandoned_version;  // firewall.version
  std::optional<std::int64_t> restored_version;   // absent: the table was deleted
};

/// Anything else on the topic is `std::monostate`.
using FirewallEvent = std::variant<std::monostate, DriftEvent, RollbackEvent>;

/// Reads one `event` message ({"type":"event","event":{"agent_id","time","type","data"}}).
/// Events of other modules or actions, malformed messages and events without an agent are
/// std::monostate. Pure.
FirewallEvent parse_firewall_event(std::string_view payload);

}  // namespace sentinel::firewall
