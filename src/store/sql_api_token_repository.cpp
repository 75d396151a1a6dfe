#include "sentinel/store/api_token_repository.h"
#include "sql_word_list.h"

namespace sentinel::store {

Result<std::int64_t> ApiTokenRepository::insert(const ApiTokenRecord& token) {
  SENTINEL_ASSIGN(
      rows,
      connection_.query("INSERT INTO api_tokens (token_hash, user_id, name, permissions, "
                        "created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                        {token.token_hash, token.user_id, token.name, join_words(token.permissions),
                         token.created_at_ms, optional_value(token.expires_at_ms)}));
  if (rows.empty()) return internal_error("insert into api_tokens returned no id");
  return rows.front().integer(0);
}

Result<std::vector<ApiTokenRecord>> ApiTokenRepository::read(std::string_view where,
                                                             const Params& params) {
  SENTINEL_ASSIGN(rows, connection_.query(
                            "SELECT t.id, t.token_hash, t.user_id, u.username, u.disabled, t.name, "
                            "t.permissions, t.created_at, t.expires_at, t.last_used_at, "
                            "t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id " +
                                std::string(where),
                            params));
  std::vector<ApiTokenRecord> tokens;
  tokens.reserve(rows.size());
  for (const auto& row : rows) {
    tokens.push_back({row.integer(0), row.text(1), row.integer(2), row.text(3), row.integer(4) != 0,
                      row.text(5), split_words(row.text(6)), row.integer(7),
                      row.optional_integer(8), row.optional_integer(9), row.optional_integer(10)});
  }
  return tokens;
}

Result<std::optional<ApiTokenRecord>> ApiTokenRepository::find_by_hash(
    std::string_view token_hash) {
  SENTINEL_ASSIGN(tokens, read("WHERE t.token_hash = $1", {std::string(token_hash)}));
  if (tokens.empty()) return std::optional<ApiTokenRecord>();
  return std::optional<ApiTokenRecord>(std::move(tokens.front()));
}

Result<std::optional<ApiTokenRecord>> ApiTokenRepository::find_by_id(std::int64_t id) {
  SENTINEL_ASSIGN(tokens, read("WHERE t.id = $1", {id}));
  if (tokens.empty()) return std::optional<ApiTokenRecord>();
  return std::optional<ApiTokenRecord>(std::move(tokens.front()));
}

Result<std::vector<ApiTokenRecord>> ApiTokenRepository::list(std::optional<std::int64_t> user_id) {
  if (user_id) return read("WHERE t.user_id = $1 ORDER BY t.id DESC", {*user_id});
  return read("ORDER BY t.id DESC", {});
}

Status ApiTokenRepository::touch(std::int64_t id, std::int64_t now_ms) {
  SENTINEL_TRY(
      connection_.execute("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", {now_ms, id}));
  return ok();
}

Result<bool> ApiTokenRepository::revoke(std::int64_t id, std::int64_t now_ms) {
  SENTINEL_ASSIGN(changed,
                  connection_.execute("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND "
                                      "revoked_at IS NULL",
                                      {now_ms, id}));
  return changed == 1;
}

Status ApiTokenRepository::remove_for_user(std::int64_t user_id) {
  SENTINEL_TRY(connection_.execute("DELETE FROM api_tokens WHERE user_id = $1", {user_id}));
  return ok();
}

}  // namespace sentinel::store
