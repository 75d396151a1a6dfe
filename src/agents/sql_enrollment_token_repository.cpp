#include "sql_enrollment_token_repository.h"

#include <fmt/format.h>

#include "placement.h"

namespace sentinel::agents {
namespace {

constexpr std::string_view kColumns =
    "id, group_name, labels, created_by, created_at, expires_at, used_at, used_by_agent, "
    "revoked_at";

EnrollmentTokenView view_from_row(const store::Row& row, std::int64_t now_ms) {
  EnrollmentTokenView view;
  view.id = row.integer(0);
  view.group = row.text(1);
  view.labels = labels_from_text(row.text(2));
  view.created_by = row.text(3);
  view.created_at_ms = row.integer(4);
  view.expires_at_ms = row.integer(5);
  view.used_at_ms = row.optional_integer(6);
  view.used_by_agent = row.text(7);
  view.revoked_at_ms = row.optional_integer(8);
  view.state = view.used_at_ms                ? EnrollmentTokenState::kUsed
               : view.revoked_at_ms           ? EnrollmentTokenState::kRevoked
               : view.expires_at_ms <= now_ms ? EnrollmentTokenState::kExpired
                                              : EnrollmentTokenState::kUnused;
  return view;
}

}  // namespace

Result<std::int64_t> SqlEnrollmentTokenRepository::insert(std::string_view token_hash,
                                                          const EnrollmentTokenView& view) {
  SENTINEL_ASSIGN(
      rows, connection_.query("INSERT INTO enrollment_tokens (token_hash, group_name, labels, "
                              "created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) "
                              "RETURNING id",
                              {std::string(token_hash), view.group, labels_to_text(view.labels),
                               view.created_by, view.created_at_ms, view.expires_at_ms}));
  if (rows.empty()) return internal_error("insert into enrollment_tokens returned no id");
  return rows.front().integer(0);
}

Result<std::vector<EnrollmentTokenView>> SqlEnrollmentTokenRepository::list(std::int64_t now_ms,
                                                                            std::int64_t limit) {
  SENTINEL_ASSIGN(rows, connection_.query(fmt::format("SELECT {} FROM enrollment_tokens ORDER BY "
                                                      "id DESC LIMIT $1",
                                                      kColumns),
                                          {limit}));
  std::vector<EnrollmentTokenView> out;
  out.reserve(rows.size());
  for (const store::Row& row : rows) out.push_back(view_from_row(row, now_ms));
  return out;
}

Result<std::optional<EnrollmentTokenView>> SqlEnrollmentTokenRepository::find(std::int64_t id,
                                                                              std::int64_t now_ms) {
  SENTINEL_ASSIGN(
      rows, connection_.query(
                fmt::format("SELECT {} FROM enrollment_tokens WHERE id = $1", kColumns), {id}));
  if (rows.empty()) return std::optional<EnrollmentTokenView>();
  return std::optional<EnrollmentTokenView>(view_from_row(rows.front(), now_ms));
}

Result<bool> SqlEnrollmentTokenRepository::usable(std::string_view token_hash,
                                                  std::int64_t now_ms) {
  SENTINEL_ASSIGN(rows, connection_.query(
                            "SELECT 1 FROM enrollment_tokens WHERE token_hash = $1 AND used_at IS "
                            "NULL AND revoked_at IS NULL AND expires_at > $2",
                            {std::string(token_hash), now_ms}));
  return !rows.empty();
}

Result<std::optional<RedeemedToken>> SqlEnrollmentTokenRepository::redeem(
    std::string_view token_hash, std::string_view agent_id, std::int64_t now_ms) {
  // One statement: the row lock (PostgreSQL) or the write lock (SQLite) makes a racing second
  // use see used_at already set and change nothing.
  SENTINEL_ASSIGN(rows, connection_.query(
                            "UPDATE enrollment_tokens SET used_at = $2, used_by_agent = $3 "
                            "WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND "
                            "expires_at > $2 RETURNING id, group_name, labels",
                            {std::string(token_hash), now_ms, std::string(agent_id)}));
  if (rows.empty()) return std::optional<RedeemedToken>();
  const store::Row& row = rows.front();
  return std::optional<RedeemedToken>(
      RedeemedToken{row.integer(0), Placement{row.text(1), labels_from_text(row.text(2))}});
}

Result<bool> SqlEnrollmentTokenRepository::revoke(std::int64_t id, std::int64_t now_ms) {
  SENTINEL_ASSIGN(
      changed, connection_.execute("UPDATE enrollment_tokens SET revoked_at = $2 WHERE id = $1 AND "
                                   "used_at IS NULL AND revoked_at IS NULL",
                                   {id, now_ms}));
  return changed > 0;
}

}  // namespace sentinel::agents
