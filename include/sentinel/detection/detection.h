#pragma once
// What the rule engine reads (a normalised event) and what it produces (a detection), shared by
// the detect service, the alerts service, the benchmarks and `sentinelctl rules`. See ADR 0004.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sentinel::detection {

/// One field of a normalised event: a dotted ECS name and its value as text (integers in
/// decimal).
struct Field {
  std::string name;
  std::string value;
  friend bool operator==(const Field&, const Field&) = default;
};

/// An event as rules see it. `fields` holds the event's data plus what the normaliser adds
/// (`event.type`, `agent.id`, `host.name`); a name appears at most once.
struct Event {
  std::int64_t id = 0;  // the stored event's id; 0 when not stored (tests, benchmarks)
  std::string agent_id;
  std::int64_t time_ms = 0;
  std::string type;
  std::vector<Field> fields;

  /// The value of `name`, or nullptr. Linear: events have a few dozen fields.
  const std::string* find(std::string_view name) const {
    for (const Field& field : fields) {
      if (field.name == name) return &field.value;
    }
    return nullptr;
  }
};

/// Sigma's levels, lowest first.
enum class Severity { kInformational, kLow, kMedium, kHigh, kCritical };

/// "informational", "low", "medium", "high", "critical" (Sigma's level names).
std::string_view to_string(Severity severity);
/// The severity named `text` (one of the names above), or nullopt.
std::optional<Severity> parse_severity(std::string_view text);

/// Where a rule's block applies: the detection's agent, that agent's group, or every agent.
enum class ResponseScope { kAgent, kGroup, kAll };

/// "agent", "group", "all".
std::string_view to_string(ResponseScope scope);
/// The scope named `text` (one of the names above), or nullopt.
std::optional<ResponseScope> parse_response_scope(std::string_view text);

/// A rule's `response: {block: {field, duration, scope}}` (ADR 0006 "Active response and
/// blocks"): block the address found in `field` for `duration_ms`. The firewall acts on it.
struct BlockResponse {
  std::string field;    // ECS name of the field holding the address ("source.ip")
  std::string address;  // its value in the event that made the rule fire; "" when absent
  std::int64_t duration_ms = 0;
  ResponseScope scope = ResponseScope::kAgent;
  friend bool operator==(const BlockResponse&, const BlockResponse&) = default;
};

/// A rule matched. For a correlation rule `event_ids` are the events that made it fire (the
/// last ones, at most 100); `entity` names what the alert is about ("source.ip=203.0.113.9").
struct Detection {
  std::string rule_id;
  std::string rule_title;
  Severity severity = Severity::kMedium;
  std::vector<std::string> tags;  // "attack.t1110", "attack.credential_access", ...
  std::string agent_id;           // empty when the rule groups across agents
  std::string entity;
  std::int64_t dedup_window_ms = 15 * 60 * 1000;
  std::int64_t time_ms = 0;  // the time of the last event that made it fire
  std::vector<std::int64_t> event_ids;
  std::string summary;                    // one line for people: the rule title with the entity
  std::optional<BlockResponse> response;  // the rule's block request, when it has one
};

}  // namespace sentinel::detection
