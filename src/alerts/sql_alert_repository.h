#pragma once
// SQL access to alerts, their dedup keys, evidence and comments (schema
// src/store/migrations/0006_alerts.sql), over one connection so that the service composes it
// into transactions. Not thread-safe, like the connection it wraps.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/alerts/alert_service.h"
#include "sentinel/store/database.h"

namespace sentinel::alerts {

class SqlAlertRepository {
 public:
  explicit SqlAlertRepository(store::Connection& connection) : connection_(connection) {}

  /// Creates or locks the dedup key's row until the transaction ends; returns the newest alert
  /// id of the key, 0 when it has none yet.
  Result<std::int64_t> lock_key(std::string_view rule_id, std::string_view agent_id,
                                std::string_view entity);
  /// Makes `alert_id` the newest alert of the key (locked by lock_key).
  Status point_key(std::string_view rule_id, std::string_view agent_id, std::string_view entity,
                   std::int64_t alert_id);

  Result<std::optional<Alert>> find(std::int64_t id);
  /// Inserts `alert` (its id, hostname and comment count are ignored); returns the new id.
  Result<std::int64_t> insert(const Alert& alert, std::int64_t now_ms);
  /// Counts one more match and writes what the rule says now and the widened times.
  Status absorb(const Alert& alert, std::int64_t now_ms);
  /// Adds evidence event ids (positive, not yet stored) until the alert holds kMaxEvidence.
  Status add_evidence(std::int64_t alert_id, const std::vector<std::int64_t>& event_ids);

  /// Sets the status if it still is `expected`; false when it was not.
  Result<bool> set_status(std::int64_t id, AlertStatus expected, AlertStatus status,
                          std::int64_t now_ms);
  Status set_assignee(std::int64_t id, const std::optional<std::string>& assignee,
                      std::int64_t now_ms);

  Result<AlertPage> list(const AlertFilter& filter);
  /// The stored evidence events of an alert, oldest first.
  Result<std::vector<events::StoredEvent>> evidence(std::int64_t alert_id);
  /// Comments of an alert, oldest first.
  Result<std::vector<AlertComment>> comments(std::int64_t alert_id);
  /// Inserts a comment; returns it with its id.
  Result<AlertComment> insert_comment(AlertComment comment);

 private:
  store::Connection& connection_;
};

}  // namespace sentinel::alerts
