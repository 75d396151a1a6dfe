// The audit log over store::Database, in portable SQL for both backends.
//
// Writers are serialised by the one-row audit_head table: record() first advances the head's seq
// (UPDATE ... RETURNING), which takes the row lock on PostgreSQL and the write lock on SQLite, so
// concurrent writers in any number of processes queue there and each sees its predecessor's
// hash. Taking seq from the head rather than from the newest row also means that deleting the
// newest rows never lets a later entry reuse their seq: the gap stays visible.

#include "sentinel/auth/audit_log.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "audit_chain.h"

namespace sentinel::auth {
namespace {

constexpr std::string_view kColumns =
    "seq, time_ms, actor, action, target, source_address, outcome, details, prev_hash, hash";
constexpr std::int64_t kMaxListLimit = 1000;
constexpr std::int64_t kVerifyPageSize = 500;
constexpr std::array<std::string_view, 3> kOutcomes = {"success", "failure", "denied"};

std::shared_ptr<spdlog::logger> audit_logger() {
  if (auto logger = spdlog::get("audit")) return logger;
  return spdlog::default_logger();
}

AuditEntry entry_from_row(const store::Row& row) {
  AuditEntry entry;
  entry.seq = row.integer(0);
  entry.time_ms = row.integer(1);
  entry.record.actor = row.text(2);
  entry.record.action = row.text(3);
  entry.record.target = row.text(4);
  entry.record.source_address = row.text(5);
  entry.record.outcome = row.text(6);
  entry.record.details_json = row.text(7);
  entry.prev_hash = row.text(8);
  entry.hash = row.text(9);
  return entry;
}

Status validate(const AuditRecord& record) {
  if (record.actor.empty()) return invalid_argument("audit actor is empty", "actor");
  if (record.action.empty()) return invalid_argument("audit action is empty", "action");
  if (std::find(kOutcomes.begin(), kOutcomes.end(), record.outcome) == kOutcomes.end()) {
    return invalid_argument("audit outcome must be success, failure or denied", "outcome");
  }
  boost::json::error_code error;
  const boost::json::value details = boost::json::parse(record.details_json, error);
  if (error || !details.is_object()) {
    return invalid_argument("audit details must be a JSON object", "details");
  }
  return ok();
}

// SQL substr() counts characters on both backends, so the prefix length must too.
std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (unsigned char c : text) count += (c & 0xc0) != 0x80;
  return count;
}

class SqlAuditLog final : public AuditLog {
 public:
  SqlAuditLog(store::Database& db, bus::Bus& bus, const Clock& clock)
      : db_(db), bus_(bus), clock_(clock) {}

  Result<AuditEntry> record(const AuditRecord& record) override {
    SENTINEL_TRY(validate(record));
    AuditEntry entry;
    entry.time_ms = clock_.now_ms();
    entry.record = record;
    SENTINEL_TRY(db_.transact([&entry](store::Connection& connection) -> Status {
      SENTINEL_ASSIGN(
          head,
          connection.query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash"));
      if (head.empty()) {
        return internal_error("audit_head row is missing: the log was tampered with");
      }
      entry.seq = head[0].integer(0);
      entry.prev_hash = head[0].text(1);
      entry.hash = audit::entry_hash(entry);
      SENTINEL_TRY(connection.execute(
          fmt::format("INSERT INTO audit_log ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                      kColumns),
          {entry.seq, entry.time_ms, entry.record.actor, entry.record.action, entry.record.target,
           entry.record.source_address, entry.record.outcome, entry.record.details_json,
           entry.prev_hash, entry.hash}));
      SENTINEL_TRY(
          connection.execute("UPDATE audit_head SET hash = $1 WHERE id = 1", {entry.hash}));
      return ok();
    }));
    publish(entry);
    return entry;
  }

  Result<std::vector<AuditEntry>> list(const AuditQuery& query) override {
    if (query.limit < 1 || query.limit > kMaxListLimit) {
      return invalid_argument(fmt::format("limit must be between 1 and {}", kMaxListLimit),
                              "limit");
    }
    if (query.before_seq && *query.before_seq < 1) {
      return invalid_argument("before must be a positive seq", "before");
    }
    std::string sql = fmt::format("SELECT {} FROM audit_log WHERE 1 = 1", kColumns);
    store::Params params;
    if (query.before_seq) {
      params.emplace_back(*query.before_seq);
      sql += fmt::format(" AND seq < ${}", params.size());
    }
    if (!query.action_prefix.empty()) {
      params.emplace_back(query.action_prefix);
      // The length is computed here, an integer literal, not user text.
      sql += fmt::format(" AND substr(action, 1, {}) = ${}", utf8_length(query.action_prefix),
                         params.size());
    }
    if (!query.actor.empty()) {
      params.emplace_back(query.actor);
      sql += fmt::format(" AND actor = ${}", params.size());
    }
    sql += fmt::format(" ORDER BY seq DESC LIMIT {}", query.limit);
    SENTINEL_ASSIGN(rows, db_.query(sql, params));
    std::vector<AuditEntry> entries;
    entries.reserve(rows.size());
    for (const store::Row& row : rows) entries.push_back(entry_from_row(row));
    return entries;
  }

  Result<AuditVerification> verify() override {
    SENTINEL_ASSIGN(head_rows, db_.query("SELECT seq, hash FROM audit_head WHERE id = 1"));
    if (head_rows.empty()) {
      AuditVerification missing;
      missing.intact = false;
      missing.problem = "audit head missing: the log was tampered with";
      return missing;
    }
    // The head is read first: entries recorded during the walk lie beyond it and are left for
    // the next verification instead of being mistaken for a head mismatch.
    audit::ChainVerifier verifier(audit::ChainHead{head_rows[0].integer(0), head_rows[0].text(1)});
    const std::string page_sql =
        fmt::format("SELECT {} FROM audit_log WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT {}",
                    kColumns, kVerifyPageSize);
    std::int64_t after = 0;
    for (;;) {
      SENTINEL_ASSIGN(rows, db_.query(page_sql, {after, head_rows[0].integer(0)}));
      for (const store::Row& row : rows) {
        const AuditEntry entry = entry_from_row(row);
        if (!verifier.add(entry)) return verifier.finish();
        after = entry.seq;
      }
      if (static_cast<std::int64_t>(rows.size()) < kVerifyPageSize) break;
    }
    return verifier.finish();
  }

 private:
  // Subscribers learn of entries after commit; a full bus loses the notification, not the entry.
  void publish(const AuditEntry& entry) {
    const boost::json::object message = {{"type", "audit"}, {"entry", audit::to_json(entry)}};
    const Status published = bus_.publish("audit", boost::json::serialize(message));
    if (!published) {
      audit_logger()->warn("audit entry not published seq={} action={} error={}", entry.seq,
                           entry.record.action, published.error().message);
    }
  }

  store::Database& db_;
  bus::Bus& bus_;
  const Clock& clock_;
};

}  // namespace

std::unique_ptr<AuditLog> make_audit_log(store::Database& db, bus::Bus& bus, const Clock& clock) {
  return std::make_unique<SqlAuditLog>(db, bus, clock);
}

}  // namespace sentinel::auth
