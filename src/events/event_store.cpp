#include "sentinel/events/event_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <utility>

namespace sentinel::events {
namespace {

// Rows per INSERT statement: few round trips, and a handful of distinct statement texts for the
// SQLite statement cache (full chunks share one).
constexpr std::size_t kRowsPerInsert = 64;
constexpr int kColumns = 6;

std::string insert_sql(std::size_t rows) {
  std::string sql = "INSERT INTO events (agent_id, seq, time_ms, received_ms, type, data) VALUES ";
  for (std::size_t row = 0; row < rows; ++row) {
    const std::size_t base = row * kColumns;
    sql += fmt::format("{}(${},${},${},${},${},${})", row == 0 ? "" : ",", base + 1, base + 2,
                       base + 3, base + 4, base + 5, base + 6);
  }
  sql += " ON CONFLICT (agent_id, seq) DO NOTHING RETURNING id, agent_id, seq";
  return sql;
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

// The most frequent values of `column` in the window, ties by value, as EventCounts.
Result<std::vector<EventCount>> top_counts(store::Database& database, std::string_view column,
                                           std::string_view extra_condition,
                                           const store::Params& window) {
  SENTINEL_ASSIGN(rows, database.query(fmt::format("SELECT {0}, COUNT(*) FROM events WHERE "
                                                   "time_ms >= $1 AND time_ms < $2{1} GROUP BY "
                                                   "{0} ORDER BY 2 DESC, 1 LIMIT {2}",
                                                   column, extra_condition, kSummaryTop),
                                       window));
  std::vector<EventCount> counts;
  counts.reserve(rows.size());
  for (const store::Row& row : rows) counts.push_back({row.text(0), row.integer(1)});
  return counts;
}

bool valid_field_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '@' ||
           c == '-';
  });
}

}  // namespace

Result<std::vector<std::int64_t>> EventStore::insert(store::Connection& tx,
                                                     const std::vector<NewEvent>& events,
                                                     std::int64_t received_ms) {
  std::vector<std::int64_t> ids(events.size(), 0);
  const auto bind_row = [&](store::Params& params, const NewEvent& event) {
    params.emplace_back(event.agent_id);
    if (event.seq) {
      params.emplace_back(*event.seq);
    } else {
      params.emplace_back(nullptr);
    }
    params.emplace_back(event.time_ms);
    params.emplace_back(received_ms);
    params.emplace_back(event.type);
    params.emplace_back(event.data_json);
  };
  // Agent events go in chunks; RETURNING rows come in no defined order, so they are mapped back
  // by (agent, seq). Derived events (no seq) are rare and go one per statement, so that their id
  // is unambiguous.
  std::vector<std::size_t> with_seq;
  with_seq.reserve(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].seq) {
      with_seq.push_back(i);
      continue;
    }
    store::Params params;
    bind_row(params, events[i]);
    SENTINEL_ASSIGN(returned, tx.query(insert_sql(1), params));
    if (!returned.empty()) ids[i] = returned.front().integer(0);
  }
  for (std::size_t start = 0; start < with_seq.size(); start += kRowsPerInsert) {
    const std::size_t rows = std::min(kRowsPerInsert, with_seq.size() - start);
    store::Params params;
    params.reserve(rows * kColumns);
    std::map<std::pair<std::string_view, std::int64_t>, std::size_t> positions;
    for (std::size_t k = start; k < start + rows; ++k) {
      const NewEvent& event = events[with_seq[k]];
      bind_row(params, event);
      positions.emplace(std::pair<std::string_view, std::int64_t>(event.agent_id, *event.seq),
                        with_seq[k]);
    }
    SENTINEL_ASSIGN(returned, tx.query(insert_sql(rows), params));
    for (const store::Row& row : returned) {
      const std::string agent = row.text(1);
      const auto it = positions.find({agent, row.integer(2)});
      if (it != positions.end()) ids[it->second] = row.integer(0);
    }
  }
  return ids;
}

Result<EventPage> EventStore::search(const EventQuery& query) const {
  std::string where = " WHERE 1=1";
  store::Params params;
  const auto bind = [&](store::Value value) {
    params.push_back(std::move(value));
    return fmt::format("${}", params.size());
  };
  if (!query.agent_id.empty()) where += " AND agent_id = " + bind(query.agent_id);
  if (!query.type.empty()) {
    if (query.type.back() == '.') {
      where +=
          " AND substr(type, 1, " + std::to_string(query.type.size()) + ") = " + bind(query.type);
    } else {
      where += " AND type = " + bind(query.type);
    }
  }
  if (!query.text.empty()) {
    const std::string pattern = bind(like_pattern(query.text));
    where += fmt::format(
        " AND (lower(type) LIKE {0} ESCAPE '\\' OR lower(data) LIKE {0} ESCAPE '\\')", pattern);
  }
  for (const FieldFilter& filter : query.fields) {
    if (!valid_field_name(filter.name)) {
      return invalid_argument(
          fmt::format("field.{}: a field name is 1-128 letters, digits and _ . @ -", filter.name),
          "field");
    }
    // The name is checked above and bound as a parameter all the same.
    if (database_.backend() == "postgresql") {
      where += fmt::format(" AND (data::jsonb ->> {}) = {}", bind(filter.name), bind(filter.value));
    } else {
      where += fmt::format(" AND CAST(json_extract(data, {}) AS TEXT) = {}",
                           bind(fmt::format("$.\"{}\"", filter.name)), bind(filter.value));
    }
  }
  if (query.since_ms) where += " AND time_ms >= " + bind(*query.since_ms);
  if (query.until_ms) where += " AND time_ms < " + bind(*query.until_ms);

  SENTINEL_ASSIGN(counted, database_.query("SELECT COUNT(*) FROM events" + where, params));
  EventPage page;
  page.total = counted.empty() ? 0 : counted[0].integer(0);

  const std::string limit = bind(query.limit);
  const std::string offset = bind(query.offset);
  SENTINEL_ASSIGN(rows,
                  database_.query("SELECT id, agent_id, seq, time_ms, received_ms, type, data "
                                  "FROM events" +
                                      where + " ORDER BY time_ms DESC, id DESC LIMIT " + limit +
                                      " OFFSET " + offset,
                                  params));
  for (const store::Row& row : rows) {
    page.items.push_back(StoredEvent{.id = row.integer(0),
                                     .agent_id = row.text(1),
                                     .seq = row.optional_integer(2),
                                     .time_ms = row.integer(3),
                                     .received_ms = row.integer(4),
                                     .type = row.text(5),
                                     .data_json = row.text(6)});
  }
  return page;
}

Result<EventSummary> EventStore::summary(std::int64_t hours, std::int64_t now_ms) const {
  if (hours < 1 || hours > kMaxSummaryHours) {
    return invalid_argument(fmt::format("hours must be between 1 and {}", kMaxSummaryHours),
                            "hours");
  }
  EventSummary summary;
  const std::int64_t current_hour = now_ms / kSummaryBucketMs;
  const std::int64_t first_hour = current_hour - (hours - 1);
  summary.since_ms = first_hour * kSummaryBucketMs;
  summary.buckets.assign(static_cast<std::size_t>(hours), 0);
  const store::Params window = {summary.since_ms, (current_hour + 1) * kSummaryBucketMs};

  // Integer division truncates alike on both backends; the window starts after the epoch.
  const std::string hour = fmt::format("time_ms / {}", kSummaryBucketMs);
  SENTINEL_ASSIGN(per_hour,
                  database_.query(fmt::format("SELECT {0}, COUNT(*) FROM events WHERE time_ms >= "
                                              "$1 AND time_ms < $2 GROUP BY {0}",
                                              hour),
                                  window));
  for (const store::Row& row : per_hour) {
    const std::int64_t index = row.integer(0) - first_hour;
    if (index >= 0 && index < hours)
      summary.buckets[static_cast<std::size_t>(index)] = row.integer(1);
  }
  SENTINEL_ASSIGN(by_type, top_counts(database_, "type", "", window));
  SENTINEL_ASSIGN(top_agents, top_counts(database_, "agent_id", " AND agent_id <> ''", window));
  summary.by_type = std::move(by_type);
  summary.top_agents = std::move(top_agents);
  return summary;
}

Result<std::int64_t> EventStore::delete_older_than(std::int64_t cutoff_ms, std::int64_t limit) {
  return database_.execute(
      "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE time_ms < $1 ORDER BY time_ms "
      "LIMIT $2)",
      {cutoff_ms, limit});
}

}  // namespace sentinel::events
