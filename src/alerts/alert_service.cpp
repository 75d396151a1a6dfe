// The alerts service over store::Database: dedup under the key's lock, triage with audit, and a
// bus message after every commit.

#include "sentinel/alerts/alert_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cctype>

#include "../auth/autocommit.h"
#include "alert_json.h"
#include "logger.h"
#include "sentinel/store/user_repository.h"
#include "sql_alert_repository.h"

namespace sentinel::alerts {
namespace {

bool is_open(AlertStatus status) {
  return status == AlertStatus::kNew || status == AlertStatus::kAcknowledged;
}

// SQL and the API count characters, not bytes.
std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (const unsigned char c : text) count += (c & 0xc0) != 0x80;
  return count;
}

bool blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isspace(c) != 0; });
}

Status check(const detection::Detection& detection) {
  if (detection.rule_id.empty()) return invalid_argument("detection has no rule id", "rule_id");
  if (detection.rule_title.empty()) {
    return invalid_argument("detection has no rule title", "rule_title");
  }
  if (detection.dedup_window_ms < 0) {
    return invalid_argument("detection has a negative dedup window", "dedup_window_ms");
  }
  return ok();
}

// What a detection says about its alert, for a new one and for one that absorbs it.
Alert alert_from(const detection::Detection& detection, std::int64_t time_ms) {
  Alert alert;
  alert.rule_id = detection.rule_id;
  alert.rule_title = detection.rule_title;
  alert.severity = detection.severity;
  alert.agent_id = detection.agent_id;
  alert.entity = detection.entity;
  alert.summary = detection.summary;
  if (alert.summary.empty()) {
    alert.summary = detection.entity.empty() ? detection.rule_title
                                             : detection.rule_title + ": " + detection.entity;
  }
  alert.tags = detection.tags;
  alert.count = 1;
  alert.first_seen_ms = time_ms;
  alert.last_seen_ms = time_ms;
  return alert;
}

boost::json::value optional_json(const std::optional<std::string>& text) {
  return text ? boost::json::value(*text) : boost::json::value(nullptr);
}

class SqlAlertService final : public AlertService {
 public:
  SqlAlertService(store::Database& db, auth::AuditLog& audit, bus::Bus& bus, const Clock& clock)
      : db_(db), audit_(audit), bus_(bus), clock_(clock) {}

  Result<Alert> record(const detection::Detection& detection) override {
    SENTINEL_TRY(check(detection));
    const std::int64_t now = clock_.now_ms();
    const std::int64_t time = detection.time_ms > 0 ? detection.time_ms : now;
    Alert recorded;
    bool created = false;
    SENTINEL_TRY(db_.transact([&](store::Connection& connection) -> Status {
      created = false;
      SqlAlertRepository alerts(connection);
      SENTINEL_ASSIGN(newest,
                      alerts.lock_key(detection.rule_id, detection.agent_id, detection.entity));
      std::optional<Alert> open;
      if (newest != 0) {
        SENTINEL_ASSIGN(found, alerts.find(newest));
        // Late matches (older than last_seen) join too: they belong to what is already open.
        if (found && is_open(found->status) &&
            time <= found->last_seen_ms + detection.dedup_window_ms) {
          open = std::move(found);
        }
      }
      Alert alert = alert_from(detection, time);
      if (open) {
        alert.id = open->id;
        alert.first_seen_ms = std::min(open->first_seen_ms, time);
        alert.last_seen_ms = std::max(open->last_seen_ms, time);
        SENTINEL_TRY(alerts.absorb(alert, now));
      } else {
        SENTINEL_ASSIGN(id, alerts.insert(alert, now));
        alert.id = id;
        SENTINEL_TRY(alerts.point_key(detection.rule_id, detection.agent_id, detection.entity, id));
        created = true;
      }
      SENTINEL_TRY(alerts.add_evidence(alert.id, detection.event_ids));
      SENTINEL_ASSIGN(stored, alerts.find(alert.id));
      if (!stored) return internal_error("the alert just written is missing");
      recorded = std::move(*stored);
      return ok();
    }));
    if (created) {
      alerts_log().info("alert created alert={} rule={} agent={} entity=\"{}\" severity={}",
                        recorded.id, recorded.rule_id, recorded.agent_id, recorded.entity,
                        detection::to_string(recorded.severity));
    } else {
      alerts_log().debug("alert matched again alert={} count={}", recorded.id, recorded.count);
    }
    publish(created ? "created" : "updated", recorded);
    return recorded;
  }

  Result<AlertPage> list(const AlertFilter& filter) override {
    if (filter.limit < 1 || filter.limit > 1000) {
      return invalid_argument("limit must be between 1 and 1000", "limit");
    }
    if (filter.offset < 0) return invalid_argument("offset must not be negative", "offset");
    // Reads go without a transaction: on SQLite one would take the write lock.
    auth::Autocommit connection(db_);
    return SqlAlertRepository(connection).list(filter);
  }

  Result<AlertDetail> get(std::int64_t id) override {
    auth::Autocommit connection(db_);
    SqlAlertRepository alerts(connection);
    SENTINEL_ASSIGN(found, alerts.find(id));
    if (!found) return not_found("No such alert.");
    SENTINEL_ASSIGN(evidence, alerts.evidence(id));
    SENTINEL_ASSIGN(comments, alerts.comments(id));
    return AlertDetail{std::move(*found), std::move(evidence), std::move(comments)};
  }

  Result<Alert> update(const auth::Principal& caller, std::int64_t id, const AlertUpdate& update,
                       const auth::ClientInfo& client) override {
    if (!update.status && !update.assignee) {
      return invalid_argument("nothing to change: give status or assignee");
    }
    Alert before;
    Alert after;
    SENTINEL_TRY(db_.transact([&](store::Connection& connection) -> Status {
      SqlAlertRepository alerts(connection);
      SENTINEL_ASSIGN(found, alerts.find(id));
      if (!found) return not_found("No such alert.");
      before = *found;
      const std::int64_t now = clock_.now_ms();
      if (update.status && *update.status != before.status) {
        if (!transition_allowed(before.status, *update.status)) {
          return conflict(fmt::format("an alert that is {} cannot become {}",
                                      to_string(before.status), to_string(*update.status)),
                          "status");
        }
        SENTINEL_ASSIGN(changed, alerts.set_status(id, before.status, *update.status, now));
        if (!changed) {
          return conflict("the alert's status changed meanwhile; reload it and try again",
                          "status");
        }
      }
      if (update.assignee && *update.assignee != before.assignee) {
        if (*update.assignee) {
          SENTINEL_ASSIGN(user,
                          store::UserRepository(connection).find_by_username(**update.assignee));
          if (!user) {
            return invalid_argument(fmt::format("no user is named '{}'", **update.assignee),
                                    "assignee");
          }
        }
        SENTINEL_TRY(alerts.set_assignee(id, *update.assignee, now));
      }
      SENTINEL_ASSIGN(current, alerts.find(id));
      if (!current) return not_found("No such alert.");
      after = std::move(*current);
      return ok();
    }));
    if (after.status == before.status && after.assignee == before.assignee) return after;

    boost::json::object details = {{"rule_id", after.rule_id}};
    if (after.status != before.status) {
      details["status"] = {{"old", to_string(before.status)}, {"new", to_string(after.status)}};
    }
    if (after.assignee != before.assignee) {
      details["assignee"] = {{"old", optional_json(before.assignee)},
                             {"new", optional_json(after.assignee)}};
    }
    audit(caller, "alert.update", id, client, std::move(details));
    alerts_log().info("alert changed alert={} by={} status={} assignee={}", id, caller.username,
                      to_string(after.status), after.assignee.value_or("-"));
    publish("updated", after);
    return after;
  }

  Result<AlertComment> comment(const auth::Principal& caller, std::int64_t id,
                               std::string_view text, const auth::ClientInfo& client) override {
    if (blank(text)) return invalid_argument("the comment is empty", "text");
    if (utf8_length(text) > kMaxCommentLength) {
      return invalid_argument(
          fmt::format("the comment is longer than {} characters", kMaxCommentLength), "text");
    }
    AlertComment added;
    Alert after;
    SENTINEL_TRY(db_.transact([&](store::Connection& connection) -> Status {
      SqlAlertRepository alerts(connection);
      SENTINEL_ASSIGN(found, alerts.find(id));
      if (!found) return not_found("No such alert.");
      SENTINEL_ASSIGN(inserted, alerts.insert_comment({.alert_id = id,
                                                       .author = caller.username,
                                                       .text = std::string(text),
                                                       .created_at_ms = clock_.now_ms()}));
      added = std::move(inserted);
      SENTINEL_ASSIGN(current, alerts.find(id));
      if (!current) return not_found("No such alert.");
      after = std::move(*current);
      return ok();
    }));
    audit(caller, "alert.comment", id, client,
          {{"comment_id", added.id}, {"comment_count", after.comment_count}});
    publish("updated", after);
    return added;
  }

 private:
  // Listeners learn of changes after commit; a full bus loses the notification, not the change.
  void publish(std::string_view action, const Alert& alert) {
    if (Status published = bus_.publish("alert", alert_message(action, alert)); !published) {
      alerts_log().warn("alert not published alert={} action={} error=\"{}\"", alert.id, action,
                        published.error().message);
    }
  }

  // The change is committed already: a failing audit write is logged, not undone.
  void audit(const auth::Principal& caller, std::string_view action, std::int64_t alert_id,
             const auth::ClientInfo& client, boost::json::object details) {
    const auth::AuditRecord record{
        caller.username,       std::string(action), fmt::format("alert:{}", alert_id),
        client.source_address, "success",           boost::json::serialize(details)};
    if (auto recorded = audit_.record(record); !recorded) {
      alerts_log().error("audit record failed action={} alert={} error=\"{}\"", action, alert_id,
                         recorded.error().message);
    }
  }

  store::Database& db_;
  auth::AuditLog& audit_;
  bus::Bus& bus_;
  const Clock& clock_;
};

}  // namespace

std::unique_ptr<AlertService> AlertService::create(store::Database& db, auth::AuditLog& audit,
                                                   bus::Bus& bus, const Clock& clock) {
  return std::make_unique<SqlAlertService>(db, audit, bus, clock);
}

}  // namespace sentinel::alerts
