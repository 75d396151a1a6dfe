#pragma once
// The event store: every event agents record and the server derives, written idempotently and
// searched by time, agent, type and free text. Detection (issue 5) grows on top of it.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"
#include "sentinel/store/database.h"

namespace sentinel::events {

/// One stored event. `seq` is the agent's sequence number, absent for server-derived events.
struct StoredEvent {
  std::int64_t id = 0;
  std::string agent_id;
  std::optional<std::int64_t> seq;
  std::int64_t time_ms = 0;
  std::int64_t received_ms = 0;
  std::string type;
  std::string data_json;  // a JSON object
};

/// An event to write. `seq` set: an agent's event (idempotent on agent_id + seq).
struct NewEvent {
  std::string agent_id;
  std::optional<std::int64_t> seq;
  std::int64_t time_ms = 0;
  std::string type;
  std::string data_json;
};

/// One field of an event's data that must equal a value: {"source.ip", "203.0.113.9"}. Numbers
/// compare by their decimal text.
struct FieldFilter {
  std::string name;  // a top-level key of the data object: [A-Za-z0-9_.@-]{1,128}
  std::string value;
};

/// A search. Empty fields do not filter; `text` matches anywhere in the type or data,
/// case-insensitively.
struct EventQuery {
  std::string agent_id;
  std::string type;  // exact, or a prefix ending in '.' ("inventory.")
  std::string text;
  std::vector<FieldFilter> fields;  // all must hold
  std::optional<std::int64_t> since_ms;
  std::optional<std::int64_t> until_ms;
  std::int64_t limit = 100;
  std::int64_t offset = 0;
};

struct EventPage {
  std::vector<StoredEvent> items;  // newest first
  std::int64_t total = 0;          // every match, not only this page
};

/// The longest window EventStore::summary covers: a week of hourly buckets.
inline constexpr std::int64_t kMaxSummaryHours = 168;
/// The width of a summary bucket.
inline constexpr std::int64_t kSummaryBucketMs = 3600 * 1000;
/// How many types and agents a summary lists.
inline constexpr std::int64_t kSummaryTop = 10;

/// How many events share a key (an event type or an agent id).
struct EventCount {
  std::string key;
  std::int64_t count = 0;
};

/// Event counts over the last hours, for dashboards. The window is [since_ms, since_ms + hours
/// of buckets): UTC-hour-aligned, its last bucket the hour that contains "now".
struct EventSummary {
  std::int64_t since_ms = 0;
  std::vector<std::int64_t> buckets;   // events per hour, oldest first, empty hours as 0
  std::vector<EventCount> by_type;     // most frequent first (ties by name), at most kSummaryTop
  std::vector<EventCount> top_agents;  // agents with the most events, the same way
};

/// Reads and writes the events table. Thread-safe (the database is).
class EventStore {
 public:
  explicit EventStore(store::Database& database) : database_(database) {}

  /// Inserts `events` inside `tx`. Agent events whose (agent_id, seq) is already stored are
  /// skipped; returns, per input event, its new id, or 0 when it was already stored.
  static Result<std::vector<std::int64_t>> insert(store::Connection& tx,
                                                  const std::vector<NewEvent>& events,
                                                  std::int64_t received_ms);

  /// kInvalidArgument (field "field") for a field filter whose name is not allowed.
  Result<EventPage> search(const EventQuery& query) const;

  /// Deletes up to `limit` events older than `cutoff_ms`; returns how many. Callers loop until
  /// it returns less than `limit`, so that no transaction holds the table for long.
  Result<std::int64_t> delete_older_than(std::int64_t cutoff_ms, std::int64_t limit);

  /// Counts the events of the last `hours` (1..kMaxSummaryHours, else kInvalidArgument naming
  /// "hours") up to the hour containing `now_ms`, by hour, by type and by agent, in SQL. Events
  /// without an agent id do not count for top_agents.
  Result<EventSummary> summary(std::int64_t hours, std::int64_t now_ms) const;

 private:
  store::Database& database_;
};

}  // namespace sentinel::events
