#include "sql_alert_repository.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <set>

namespace sentinel::alerts {
namespace {

// The hostname comes from the registry when the agent is known; the comment count is read here
// rather than kept in a column that every comment would have to update.
constexpr std::string_view kSelect =
    "SELECT a.id, a.rule_id, a.rule_title, a.severity, a.status, a.agent_id, g.hostname, "
    "a.entity, a.summary, a.tags, a.match_count, a.first_seen, a.last_seen, a.assignee, "
    "(SELECT COUNT(*) FROM alert_comments c WHERE c.alert_id = a.id) "
    "FROM alerts a LEFT JOIN agents g ON g.id = a.agent_id";

std::string tags_text(const std::vector<std::string>& tags) {
  boost::json::array array;
  for (const std::string& tag : tags) array.emplace_back(tag);
  return boost::json::serialize(array);
}

std::vector<std::string> tags_of(const std::string& text) {
  std::vector<std::string> tags;
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_array()) return tags;
  for (const boost::json::value& tag : value.get_array()) {
    if (tag.is_string()) tags.emplace_back(tag.get_string());
  }
  return tags;
}

Result<Alert> alert_of(const store::Row& row) {
  Alert alert;
  alert.id = row.integer(0);
  alert.rule_id = row.text(1);
  alert.rule_title = row.text(2);
  const std::int64_t severity = row.integer(3);
  if (severity < static_cast<std::int64_t>(detection::Severity::kInformational) ||
      severity > static_cast<std::int64_t>(detection::Severity::kCritical)) {
    return internal_error(fmt::format("alert {} has an unknown severity {}", alert.id, severity));
  }
  alert.severity = static_cast<detection::Severity>(severity);
  const auto status = parse_alert_status(row.text(4));
  if (!status) {
    return internal_error(
        fmt::format("alert {} has an unknown status '{}'", alert.id, row.text(4)));
  }
  alert.status = *status;
  alert.agent_id = row.text(5);
  alert.hostname = row.optional_text(6);
  alert.entity = row.text(7);
  alert.summary = row.text(8);
  alert.tags = tags_of(row.text(9));
  alert.count = row.integer(10);
  alert.first_seen_ms = row.integer(11);
  alert.last_seen_ms = row.integer(12);
  alert.assignee = row.optional_text(13);
  alert.comment_count = row.integer(14);
  return alert;
}

// LIKE pattern for free text: the user's % and _ are literal.
std::string like_pattern(std::string_view text) {
  std::string out = "%";
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  out += '%';
  return out;
}

}  // namespace

Result<std::int64_t> SqlAlertRepository::lock_key(std::string_view rule_id,
                                                  std::string_view agent_id,
                                                  std::string_view entity) {
  // The no-op update makes the conflicting row come back, and locks it on PostgreSQL.
  SENTINEL_ASSIGN(
      rows, connection_.query("INSERT INTO alert_keys (rule_id, agent_id, entity, alert_id) "
                              "VALUES ($1, $2, $3, 0) ON CONFLICT (rule_id, agent_id, entity) "
                              "DO UPDATE SET alert_id = alert_keys.alert_id RETURNING alert_id",
                              {std::string(rule_id), std::string(agent_id), std::string(entity)}));
  if (rows.empty()) return internal_error("alert key upsert returned no row");
  return rows[0].integer(0);
}

Status SqlAlertRepository::point_key(std::string_view rule_id, std::string_view agent_id,
                                     std::string_view entity, std::int64_t alert_id) {
  SENTINEL_TRY(connection_.execute(
      "UPDATE alert_keys SET alert_id = $4 WHERE rule_id = $1 AND agent_id = $2 AND entity = $3",
      {std::string(rule_id), std::string(agent_id), std::string(entity), alert_id}));
  return ok();
}

Result<std::optional<Alert>> SqlAlertRepository::find(std::int64_t id) {
  SENTINEL_ASSIGN(rows, connection_.query(fmt::format("{} WHERE a.id = $1", kSelect), {id}));
  if (rows.empty()) return std::optional<Alert>();
  SENTINEL_ASSIGN(alert, alert_of(rows[0]));
  return std::optional<Alert>(std::move(alert));
}

Result<std::int64_t> SqlAlertRepository::insert(const Alert& alert, std::int64_t now_ms) {
  SENTINEL_ASSIGN(
      rows,
      connection_.query(
          "INSERT INTO alerts (rule_id, rule_title, severity, status, agent_id, entity, summary, "
          "tags, match_count, first_seen, last_seen, assignee, created_at, updated_at) VALUES "
          "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
          {alert.rule_id, alert.rule_title, static_cast<std::int64_t>(alert.severity),
           std::string(to_string(alert.status)), alert.agent_id, alert.entity, alert.summary,
           tags_text(alert.tags), alert.count, alert.first_seen_ms, alert.last_seen_ms,
           alert.assignee ? store::Value(*alert.assignee) : store::Value(nullptr), now_ms}));
  if (rows.empty()) return internal_error("alert insert returned no id");
  return rows[0].integer(0);
}

Status SqlAlertRepository::absorb(const Alert& alert, std::int64_t now_ms) {
  SENTINEL_TRY(connection_.execute(
      "UPDATE alerts SET match_count = match_count + 1, rule_title = $2, severity = $3, "
      "summary = $4, tags = $5, first_seen = $6, last_seen = $7, updated_at = $8 WHERE id = $1",
      {alert.id, alert.rule_title, static_cast<std::int64_t>(alert.severity), alert.summary,
       tags_text(alert.tags), alert.first_seen_ms, alert.last_seen_ms, now_ms}));
  return ok();
}

Status SqlAlertRepository::add_evidence(std::int64_t alert_id,
                                        const std::vector<std::int64_t>& event_ids) {
  SENTINEL_ASSIGN(rows, connection_.query("SELECT event_id FROM alert_evidence WHERE alert_id = $1",
                                          {alert_id}));
  std::set<std::int64_t> kept;
  for (const store::Row& row : rows) kept.insert(row.integer(0));
  store::Params params = {alert_id};
  std::string values;
  for (const std::int64_t event_id : event_ids) {
    if (kept.size() >= kMaxEvidence) break;
    if (event_id <= 0 || !kept.insert(event_id).second) continue;  // unstored or known
    params.emplace_back(event_id);
    values += fmt::format("{}($1, ${})", values.empty() ? "" : ", ", params.size());
  }
  if (values.empty()) return ok();
  SENTINEL_TRY(connection_.execute("INSERT INTO alert_evidence (alert_id, event_id) VALUES " +
                                       values + " ON CONFLICT (alert_id, event_id) DO NOTHING",
                                   params));
  return ok();
}

Result<bool> SqlAlertRepository::set_status(std::int64_t id, AlertStatus expected,
                                            AlertStatus status, std::int64_t now_ms) {
  SENTINEL_ASSIGN(
      changed, connection_.execute(
                   "UPDATE alerts SET status = $3, updated_at = $4 WHERE id = $1 "
                   "AND status = $2",
                   {id, std::string(to_string(expected)), std::string(to_string(status)), now_ms}));
  return changed == 1;
}

Status SqlAlertRepository::set_assignee(std::int64_t id, const std::optional<std::string>& assignee,
                                        std::int64_t now_ms) {
  SENTINEL_TRY(connection_.execute(
      "UPDATE alerts SET assignee = $2, updated_at = $3 WHERE id = $1",
      {id, assignee ? store::Value(*assignee) : store::Value(nullptr), now_ms}));
  return ok();
}

Result<AlertPage> SqlAlertRepository::list(const AlertFilter& filter) {
  std::string where = " WHERE 1 = 1";
  store::Params params;
  const auto bind = [&params](store::Value value) {
    params.push_back(std::move(value));
    return fmt::format("${}", params.size());
  };
  if (!filter.statuses.empty()) {
    std::string any;
    for (const AlertStatus status : filter.statuses) {
      any += (any.empty() ? "" : ", ") + bind(std::string(to_string(status)));
    }
    where += " AND a.status IN (" + any + ")";
  }
  if (filter.min_severity) {
    where += " AND a.severity >= " + bind(static_cast<std::int64_t>(*filter.min_severity));
  }
  if (!filter.rule_id.empty()) where += " AND a.rule_id = " + bind(filter.rule_id);
  if (!filter.agent_id.empty()) where += " AND a.agent_id = " + bind(filter.agent_id);
  if (filter.since_ms) where += " AND a.last_seen >= " + bind(*filter.since_ms);
  if (!filter.text.empty()) {
    const std::string pattern = bind(like_pattern(filter.text));
    where += fmt::format(
        " AND (lower(a.rule_title) LIKE {0} ESCAPE '\\' OR lower(a.summary) LIKE {0} ESCAPE '\\' "
        "OR lower(a.entity) LIKE {0} ESCAPE '\\')",
        pattern);
  }

  SENTINEL_ASSIGN(counted, connection_.query("SELECT COUNT(*) FROM alerts a" + where, params));
  AlertPage page;
  page.total = counted.empty() ? 0 : counted[0].integer(0);
  const std::string limit = bind(filter.limit);
  const std::string offset = bind(filter.offset);
  SENTINEL_ASSIGN(rows, connection_.query(fmt::format("{}{} ORDER BY a.last_seen DESC, a.id DESC "
                                                      "LIMIT {} OFFSET {}",
                                                      kSelect, where, limit, offset),
                                          params));
  page.items.reserve(rows.size());
  for (const store::Row& row : rows) {
    SENTINEL_ASSIGN(alert, alert_of(row));
    page.items.push_back(std::move(alert));
  }
  return page;
}

Result<std::vector<events::StoredEvent>> SqlAlertRepository::evidence(std::int64_t alert_id) {
  SENTINEL_ASSIGN(
      rows, connection_.query("SELECT e.id, e.agent_id, e.seq, e.time_ms, e.received_ms, e.type, "
                              "e.data FROM alert_evidence v JOIN events e ON e.id = v.event_id "
                              "WHERE v.alert_id = $1 ORDER BY e.time_ms, e.id",
                              {alert_id}));
  std::vector<events::StoredEvent> out;
  out.reserve(rows.size());
  for (const store::Row& row : rows) {
    out.push_back(events::StoredEvent{.id = row.integer(0),
                                      .agent_id = row.text(1),
                                      .seq = row.optional_integer(2),
                                      .time_ms = row.integer(3),
                                      .received_ms = row.integer(4),
                                      .type = row.text(5),
                                      .data_json = row.text(6)});
  }
  return out;
}

Result<std::vector<AlertComment>> SqlAlertRepository::comments(std::int64_t alert_id) {
  SENTINEL_ASSIGN(rows, connection_.query("SELECT id, alert_id, author, body, created_at FROM "
                                          "alert_comments WHERE alert_id = $1 ORDER BY id",
                                          {alert_id}));
  std::vector<AlertComment> out;
  out.reserve(rows.size());
  for (const store::Row& row : rows) {
    out.push_back(AlertComment{.id = row.integer(0),
                               .alert_id = row.integer(1),
                               .author = row.text(2),
                               .text = row.text(3),
                               .created_at_ms = row.integer(4)});
  }
  return out;
}

Result<AlertComment> SqlAlertRepository::insert_comment(AlertComment comment) {
  SENTINEL_ASSIGN(rows, connection_.query("INSERT INTO alert_comments (alert_id, author, body, "
                                          "created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                                          {comment.alert_id, comment.author, comment.text,
                                           comment.created_at_ms}));
  if (rows.empty()) return internal_error("comment insert returned no id");
  comment.id = rows[0].integer(0);
  return comment;
}

}  // namespace sentinel::alerts
