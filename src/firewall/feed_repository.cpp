#include "feed_repository.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace sentinel::firewall {
namespace {

constexpr std::string_view kSelectFeed =
    "SELECT id, name, source, format, csv_column, refresh_s, enabled, description, created_at, "
    "created_by, updated_at, updated_by, next_fetch_at, last_fetch_at, last_success_at, "
    "entry_count, bad_lines, problems, last_error FROM firewall_feeds";

std::string problems_json(const std::vector<FeedProblem>& problems) {
  boost::json::array out;
  for (const FeedProblem& problem : problems) {
    out.push_back(boost::json::object{{"line", static_cast<std::int64_t>(problem.line)},
                                      {"message", problem.message}});
  }
  return boost::json::serialize(out);
}

// Our own column: anything unexpected reads as no problems rather than failing the listing.
std::vector<FeedProblem> problems_of(const std::string& text) {
  std::vector<FeedProblem> out;
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_array()) return out;
  for (const boost::json::value& item : value.get_array()) {
    const auto* object = item.if_object();
    if (object == nullptr) continue;
    const auto* line = object->if_contains("line");
    const auto* message = object->if_contains("message");
    if (line == nullptr || !line->is_int64() || message == nullptr || !message->is_string()) {
      continue;
    }
    out.push_back({static_cast<std::size_t>(std::max<std::int64_t>(0, line->get_int64())),
                   std::string(message->get_string())});
  }
  return out;
}

Feed feed_of(const store::Row& row) {
  Feed feed;
  feed.id = row.integer(0);
  feed.definition.name = row.text(1);
  feed.definition.source = row.text(2);
  feed.definition.format = parse_feed_format(row.text(3)).value_or(FeedFormat::kPlain);
  feed.definition.column = row.text(4);
  feed.definition.refresh_s = row.integer(5);
  feed.definition.enabled = row.integer(6) != 0;
  feed.definition.description = row.text(7);
  feed.created_ms = row.integer(8);
  feed.created_by = row.text(9);
  feed.updated_ms = row.integer(10);
  feed.updated_by = row.text(11);
  feed.next_fetch_ms = row.integer(12);
  feed.last_fetch_ms = row.optional_integer(13);
  feed.last_success_ms = row.optional_integer(14);
  feed.entries = row.integer(15);
  feed.bad_lines = row.integer(16);
  feed.problems = problems_of(row.text(17));
  feed.last_error = row.text(18);
  return feed;
}

std::vector<Feed> feeds_of(const store::Rows& rows) {
  std::vector<Feed> out;
  out.reserve(rows.size());
  for (const store::Row& row : rows) out.push_back(feed_of(row));
  return out;
}

}  // namespace

Result<std::int64_t> FeedRepository::insert(const Feed& feed) {
  const FeedDefinition& definition = feed.definition;
  SENTINEL_ASSIGN(
      rows, connection_.query(
                "INSERT INTO firewall_feeds (name, source, format, csv_column, refresh_s, enabled, "
                "description, created_at, created_by, updated_at, updated_by, next_fetch_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $9, $10) RETURNING id",
                {definition.name, definition.source, std::string(to_string(definition.format)),
                 definition.column, definition.refresh_s, std::int64_t{definition.enabled ? 1 : 0},
                 definition.description, feed.created_ms, feed.created_by, feed.next_fetch_ms}));
  if (rows.empty()) return internal_error("insert into firewall_feeds returned no id");
  return rows.front().integer(0);
}

Result<std::vector<Feed>> FeedRepository::list() {
  SENTINEL_ASSIGN(rows, connection_.query(std::string(kSelectFeed) + " ORDER BY name"));
  return feeds_of(rows);
}

Result<std::optional<Feed>> FeedRepository::find(std::string_view name) {
  SENTINEL_ASSIGN(
      rows, connection_.query(std::string(kSelectFeed) + " WHERE name = $1", {std::string(name)}));
  if (rows.empty()) return std::optional<Feed>();
  return std::optional<Feed>(feed_of(rows.front()));
}

Result<std::int64_t> FeedRepository::count() {
  SENTINEL_ASSIGN(rows, connection_.query("SELECT COUNT(*) FROM firewall_feeds"));
  return rows.empty() ? 0 : rows.front().integer(0);
}

Result<bool> FeedRepository::update_definition(const Feed& feed) {
  const FeedDefinition& definition = feed.definition;
  SENTINEL_ASSIGN(
      changed,
      connection_.execute(
          "UPDATE firewall_feeds SET source = $2, format = $3, csv_column = $4, refresh_s = $5, "
          "enabled = $6, description = $7, updated_at = $8, updated_by = $9, next_fetch_at = $10 "
          "WHERE id = $1",
          {feed.id, definition.source, std::string(to_string(definition.format)), definition.column,
           definition.refresh_s, std::int64_t{definition.enabled ? 1 : 0}, definition.description,
           feed.updated_ms, feed.updated_by, feed.next_fetch_ms}));
  return changed > 0;
}

Result<bool> FeedRepository::remove(std::int64_t id) {
  // Explicitly, not only by cascade: SQLite enforces foreign keys only when asked to.
  SENTINEL_TRY(connection_.execute("DELETE FROM firewall_feed_contents WHERE feed_id = $1", {id}));
  SENTINEL_ASSIGN(removed, connection_.execute("DELETE FROM firewall_feeds WHERE id = $1", {id}));
  return removed > 0;
}

Result<std::vector<Feed>> FeedRepository::due(std::int64_t now_ms, std::int64_t limit) {
  SENTINEL_ASSIGN(rows, connection_.query(std::string(kSelectFeed) +
                                              " WHERE enabled = 1 AND next_fetch_at <= $1 "
                                              "ORDER BY next_fetch_at, id LIMIT $2",
                                          {now_ms, limit}));
  return feeds_of(rows);
}

Result<bool> FeedRepository::claim(std::int64_t id, std::int64_t expected_ms,
                                   std::int64_t next_ms) {
  SENTINEL_ASSIGN(changed, connection_.execute("UPDATE firewall_feeds SET next_fetch_at = $3 "
                                               "WHERE id = $1 AND next_fetch_at = $2",
                                               {id, expected_ms, next_ms}));
  return changed > 0;
}

Status FeedRepository::record_failure(std::int64_t id, std::int64_t now_ms, std::string_view error,
                                      std::int64_t next_ms) {
  SENTINEL_TRY(connection_.execute(
      "UPDATE firewall_feeds SET last_fetch_at = $2, last_error = $3, next_fetch_at = $4 "
      "WHERE id = $1",
      {id, now_ms, std::string(error), next_ms}));
  return ok();
}

Status FeedRepository::record_success(std::int64_t id, std::int64_t now_ms,
                                      const FetchSuccess& fetch, std::int64_t next_ms) {
  SENTINEL_TRY(connection_.execute(
      "UPDATE firewall_feeds SET last_fetch_at = $2, last_success_at = $2, entry_count = $3, "
      "bad_lines = $4, problems = $5, last_error = '', next_fetch_at = $6 WHERE id = $1",
      {id, now_ms, fetch.entries, fetch.bad_lines, problems_json(fetch.problems), next_ms}));
  return ok();
}

Result<std::optional<std::string>> FeedRepository::contents_sha256(std::int64_t id) {
  SENTINEL_ASSIGN(rows, connection_.query(
                            "SELECT sha256 FROM firewall_feed_contents WHERE feed_id = $1", {id}));
  if (rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows.front().text(0));
}

Status FeedRepository::store_contents(std::int64_t id, const StoredContents& contents,
                                      std::int64_t now_ms) {
  SENTINEL_TRY(connection_.execute(
      "INSERT INTO firewall_feed_contents (feed_id, networks, sha256, entry_count, stored_at) "
      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (feed_id) DO UPDATE SET networks = "
      "excluded.networks, sha256 = excluded.sha256, entry_count = excluded.entry_count, "
      "stored_at = excluded.stored_at",
      {id, contents.networks, contents.sha256, contents.entries, now_ms}));
  return ok();
}

Result<std::optional<StoredContents>> FeedRepository::contents(std::int64_t id) {
  SENTINEL_ASSIGN(rows, connection_.query("SELECT networks, sha256, entry_count FROM "
                                          "firewall_feed_contents WHERE feed_id = $1",
                                          {id}));
  if (rows.empty()) return std::optional<StoredContents>();
  return std::optional<StoredContents>(
      StoredContents{rows.front().text(0), rows.front().text(1), rows.front().integer(2)});
}

Result<std::vector<ContentsHead>> FeedRepository::enabled_heads() {
  SENTINEL_ASSIGN(
      rows, connection_.query("SELECT f.id, f.name, c.sha256 FROM firewall_feeds f JOIN "
                              "firewall_feed_contents c ON c.feed_id = f.id WHERE f.enabled = 1 "
                              "ORDER BY f.name"));
  std::vector<ContentsHead> out;
  for (const store::Row& row : rows) out.push_back({row.integer(0), row.text(1), row.text(2)});
  return out;
}

}  // namespace sentinel::firewall
