#include "sentinel/store/session_repository.h"

namespace sentinel::store {

Result<std::int64_t> SessionRepository::insert(const SessionRecord& session) {
  SENTINEL_ASSIGN(
      rows, connection_.query(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, "
                "last_seen_at, expires_at, source_address, user_agent, "
                "totp_enrollment_required) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                "RETURNING id",
                {session.token_hash, session.user_id, session.csrf_token, session.created_at_ms,
                 session.last_seen_at_ms, session.expires_at_ms, session.source_address,
                 session.user_agent, std::int64_t{session.totp_enrollment_required}}));
  if (rows.empty()) return internal_error("insert into sessions returned no id");
  return rows.front().integer(0);
}

Result<std::vector<SessionRecord>> SessionRepository::read(std::string_view where,
                                                           const Params& params) {
  SENTINEL_ASSIGN(rows,
                  connection_.query(
                      "SELECT s.id, s.token_hash, s.user_id, u.username, u.disabled, s.csrf_token, "
                      "s.created_at, s.last_seen_at, s.expires_at, s.source_address, "
                      "s.user_agent, s.totp_enrollment_required FROM sessions s "
                      "JOIN users u ON u.id = s.user_id " +
                          std::string(where),
                      params));
  std::vector<SessionRecord> sessions;
  sessions.reserve(rows.size());
  for (const auto& row : rows) {
    sessions.push_back({row.integer(0), row.text(1), row.integer(2), row.text(3),
                        row.integer(4) != 0, row.text(5), row.integer(6), row.integer(7),
                        row.integer(8), row.text(9), row.text(10), row.integer(11) != 0});
  }
  return sessions;
}

Result<std::optional<SessionRecord>> SessionRepository::find_by_token_hash(
    std::string_view token_hash) {
  SENTINEL_ASSIGN(sessions, read("WHERE s.token_hash = $1", {std::string(token_hash)}));
  if (sessions.empty()) return std::optional<SessionRecord>();
  return std::optional<SessionRecord>(std::move(sessions.front()));
}

Result<std::optional<SessionRecord>> SessionRepository::find_by_id(std::int64_t id) {
  SENTINEL_ASSIGN(sessions, read("WHERE s.id = $1", {id}));
  if (sessions.empty()) return std::optional<SessionRecord>();
  return std::optional<SessionRecord>(std::move(sessions.front()));
}

Result<std::vector<SessionRecord>> SessionRepository::list_live(std::optional<std::int64_t> user_id,
                                                                std::int64_t now_ms,
                                                                std::int64_t idle_cutoff_ms) {
  if (user_id) {
    return read(
        "WHERE s.user_id = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 ORDER BY s.id DESC",
        {*user_id, now_ms, idle_cutoff_ms});
  }
  return read("WHERE s.expires_at > $1 AND s.last_seen_at > $2 ORDER BY s.id DESC",
              {now_ms, idle_cutoff_ms});
}

Result<std::int64_t> SessionRepository::count_live(std::int64_t now_ms,
                                                   std::int64_t idle_cutoff_ms) {
  SENTINEL_ASSIGN(rows, connection_.query("SELECT COUNT(*) FROM sessions WHERE expires_at > $1 AND "
                                          "last_seen_at > $2",
                                          {now_ms, idle_cutoff_ms}));
  return rows.front().integer(0);
}

Status SessionRepository::touch(std::int64_t id, std::int64_t now_ms) {
  SENTINEL_TRY(
      connection_.execute("UPDATE sessions SET last_seen_at = $1 WHERE id = $2", {now_ms, id}));
  return ok();
}

Result<bool> SessionRepository::remove(std::int64_t id) {
  SENTINEL_ASSIGN(changed, connection_.execute("DELETE FROM sessions WHERE id = $1", {id}));
  return changed == 1;
}

Result<std::int64_t> SessionRepository::remove_for_user(std::int64_t user_id,
                                                        std::optional<std::int64_t> keep_id) {
  if (keep_id) {
    return connection_.execute("DELETE FROM sessions WHERE user_id = $1 AND id <> $2",
                               {user_id, *keep_id});
  }
  return connection_.execute("DELETE FROM sessions WHERE user_id = $1", {user_id});
}

Result<std::int64_t> SessionRepository::remove_expired(std::int64_t now_ms,
                                                       std::int64_t idle_cutoff_ms) {
  return connection_.execute("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2",
                             {now_ms, idle_cutoff_ms});
}

Status SessionRepository::clear_enrollment_required(std::int64_t user_id) {
  SENTINEL_TRY(connection_.execute(
      "UPDATE sessions SET totp_enrollment_required = 0 WHERE user_id = $1", {user_id}));
  return ok();
}

}  // namespace sentinel::store
