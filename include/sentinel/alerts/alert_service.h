#pragma once
// The alerts service: detections become alerts, deduplicated per (rule, agent, entity) within
// the rule's window; people triage them (status, assignee, comments). See ADR 0004, "Alerts".

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/auth/audit_log.h"
#include "sentinel/auth/auth_types.h"
#include "sentinel/auth/principal.h"
#include "sentinel/bus/bus.h"
#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"
#include "sentinel/detection/detection.h"
#include "sentinel/events/event_store.h"
#include "sentinel/store/database.h"

namespace sentinel::alerts {

/// Where an alert is in triage. new and acknowledged are open: only an open alert absorbs new
/// matches.
enum class AlertStatus { kNew, kAcknowledged, kResolved, kFalsePositive };

/// "new", "acknowledged", "resolved", "false_positive".
std::string_view to_string(AlertStatus status);
/// The status named `text` (as to_string writes it), or nullopt.
std::optional<AlertStatus> parse_alert_status(std::string_view text);

/// The lifecycle: new -> acknowledged | resolved | false_positive; acknowledged -> resolved |
/// false_positive; resolved <-> false_positive (reclassified); resolved | false_positive -> new
/// (reopened). Staying in the same status is allowed and changes nothing.
bool transition_allowed(AlertStatus from, AlertStatus to);

/// The most event ids an alert keeps as evidence: the first ones that arrived.
inline constexpr std::size_t kMaxEvidence = 100;
/// The longest comment, in characters.
inline constexpr std::size_t kMaxCommentLength = 4000;

/// An alert as stored, with the agent's hostname and the comment count read alongside.
struct Alert {
  std::int64_t id = 0;
  std::string rule_id;
  std::string rule_title;
  detection::Severity severity = detection::Severity::kMedium;
  AlertStatus status = AlertStatus::kNew;
  std::string agent_id;                 // "" when the rule groups across agents
  std::optional<std::string> hostname;  // from the agent registry; nullopt when unknown
  std::string entity;
  std::string summary;
  std::vector<std::string> tags;
  std::int64_t count = 0;  // matches absorbed, the first included
  std::int64_t first_seen_ms = 0;
  std::int64_t last_seen_ms = 0;
  std::optional<std::string> assignee;  // a username
  std::int64_t comment_count = 0;
};

/// A note a person left on an alert.
struct AlertComment {
  std::int64_t id = 0;
  std::int64_t alert_id = 0;
  std::string author;  // username
  std::string text;
  std::int64_t created_at_ms = 0;
};

/// One alert with what explains it: its evidence events that are still stored (oldest first;
/// retention may have deleted some) and its comments (oldest first).
struct AlertDetail {
  Alert alert;
  std::vector<events::StoredEvent> evidence;
  std::vector<AlertComment> comments;
};

/// List filters; every set field must match.
struct AlertFilter {
  std::vector<AlertStatus> statuses;                // any of these; empty: every status
  std::optional<detection::Severity> min_severity;  // at least this severe
  std::string rule_id;                              // exact
  std::string agent_id;                             // exact
  std::optional<std::int64_t> since_ms;             // last_seen at or after
  std::string text;          // case-insensitive substring of rule title, summary or entity
  std::int64_t limit = 100;  // 1..1000
  std::int64_t offset = 0;
};

/// One page, newest last_seen first (ties: newest id first); `total` counts every match.
struct AlertPage {
  std::vector<Alert> items;
  std::int64_t total = 0;
};

/// A change people make. Only the fields present change; `assignee` holding nullopt unassigns.
struct AlertUpdate {
  std::optional<AlertStatus> status;
  std::optional<std::optional<std::string>> assignee;
};

/// Stores and triages alerts. Thread-safe; safe with several processes on one database (the
/// deduplication of one key is serialised by the database). Every change is committed, then
/// published on the bus topic "alert" as {"type":"alert","action":"created"|"updated",
/// "alert":{...}} (the API's alert form); changes people make are recorded in the audit log
/// (action "alert.update" with old and new values, "alert.comment"). Matches are not audited:
/// the alert is their record.
class AlertService {
 public:
  virtual ~AlertService() = default;

  /// The collaborators must outlive the service; the database must be migrated.
  static std::unique_ptr<AlertService> create(store::Database& db, auth::AuditLog& audit,
                                              bus::Bus& bus, const Clock& clock);

  /// Stores a detection. When the newest alert of its (rule, agent, entity) is open and its
  /// last_seen lies within the detection's dedup window of the detection's time, that alert
  /// absorbs it: count + 1, first/last_seen widened, its event ids appended as evidence up to
  /// kMaxEvidence, title, severity, tags and summary refreshed from the rule. Otherwise a new
  /// alert. A detection without time is stamped now. kInvalidArgument (naming the field) for a
  /// detection without rule_id or rule_title, or with a negative window.
  virtual Result<Alert> record(const detection::Detection& detection) = 0;

  /// kInvalidArgument for a limit outside 1..1000 or a negative offset.
  virtual Result<AlertPage> list(const AlertFilter& filter) = 0;

  /// kNotFound for an unknown id.
  virtual Result<AlertDetail> get(std::int64_t id) = 0;

  /// Changes status and/or assignee; returns the alert as it is now. kNotFound for an unknown
  /// id; kInvalidArgument (field "assignee") when no user has that name, (no field) when
  /// nothing is to change; kConflict (field "status") for a move the lifecycle forbids.
  virtual Result<Alert> update(const auth::Principal& caller, std::int64_t id,
                               const AlertUpdate& update, const auth::ClientInfo& client) = 0;

  /// Adds a comment by the caller. kNotFound for an unknown id; kInvalidArgument (field "text")
  /// for text that is blank or longer than kMaxCommentLength characters.
  virtual Result<AlertComment> comment(const auth::Principal& caller, std::int64_t id,
                                       std::string_view text, const auth::ClientInfo& client) = 0;
};

}  // namespace sentinel::alerts
