#include "block_repository.h"

#include <fmt/format.h>

namespace sentinel::firewall {
namespace {

constexpr std::string_view kColumns =
    "id, address, scope, scope_value, reason, requested_by, rule_id, alert_id, offence, "
    "requested_duration_s, duration_s, started_at, expires_at, removed_at, removed_by";
constexpr std::string_view kActive = "removed_at IS NULL AND expires_at > $1";

BlockScopeKind scope_kind(std::string_view text) {
  if (text == "agent") return BlockScopeKind::kAgent;
  if (text == "group") return BlockScopeKind::kGroup;
  return BlockScopeKind::kAll;
}

Block block_of(const store::Row& row) {
  Block block;
  block.id = row.integer(0);
  block.address = row.text(1);
  block.scope = {scope_kind(row.text(2)), row.text(3)};
  block.reason = row.text(4);
  block.requested_by = row.text(5);
  block.rule_id = row.text(6);
  block.alert_id = row.optional_integer(7);
  block.offence = static_cast<int>(row.integer(8));
  block.requested_duration_s = row.integer(9);
  block.duration_s = row.integer(10);
  block.started_ms = row.integer(11);
  block.expires_ms = row.integer(12);
  block.removed_ms = row.optional_integer(13);
  block.removed_by = row.text(14);
  return block;
}

store::Value optional_value(const std::optional<std::int64_t>& value) {
  return value ? store::Value(*value) : store::Value(nullptr);
}

store::Value text_or_null(const std::string& text) {
  return text.empty() ? store::Value(nullptr) : store::Value(text);
}

}  // namespace

Result<std::int64_t> BlockRepository::lock_and_count_offences(const std::string& address,
                                                              std::int64_t now_ms,
                                                              std::int64_t since_ms) {
  SENTINEL_TRY(connection_.execute(
      "INSERT INTO firewall_block_offenders (address, last_block_at) VALUES ($1, $2) "
      "ON CONFLICT (address) DO UPDATE SET last_block_at = excluded.last_block_at",
      {address, now_ms}));
  SENTINEL_ASSIGN(rows,
                  connection_.query("SELECT COUNT(*) FROM firewall_blocks WHERE address = $1 AND "
                                    "started_at > $2",
                                    {address, since_ms}));
  return rows.at(0).integer(0);
}

Result<std::int64_t> BlockRepository::insert(const Block& block) {
  SENTINEL_ASSIGN(
      rows,
      connection_.query(
          "INSERT INTO firewall_blocks (address, scope, scope_value, reason, requested_by, "
          "rule_id, alert_id, offence, requested_duration_s, duration_s, started_at, expires_at) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
          {block.address, std::string(to_string(block.scope.kind)), block.scope.value, block.reason,
           block.requested_by, text_or_null(block.rule_id), optional_value(block.alert_id),
           std::int64_t{block.offence}, block.requested_duration_s, block.duration_s,
           block.started_ms, block.expires_ms}));
  return rows.at(0).integer(0);
}

Result<std::vector<std::int64_t>> BlockRepository::supersede(const Block& block,
                                                             std::int64_t now_ms) {
  SENTINEL_ASSIGN(rows,
                  connection_.query(
                      "UPDATE firewall_blocks SET removed_at = $1, removed_by = $2 WHERE " +
                          std::string(kActive) +
                          " AND address = $3 AND scope = $4 AND scope_value = $5 AND id <> $6 AND "
                          "expires_at <= $7 RETURNING id",
                      {now_ms, fmt::format("superseded by block {}", block.id), block.address,
                       std::string(to_string(block.scope.kind)), block.scope.value, block.id,
                       block.expires_ms}));
  std::vector<std::int64_t> ids;
  for (const store::Row& row : rows) ids.push_back(row.integer(0));
  return ids;
}

Result<std::optional<Block>> BlockRepository::get(std::int64_t id) {
  SENTINEL_ASSIGN(
      rows, connection_.query(fmt::format("SELECT {} FROM firewall_blocks WHERE id = $1", kColumns),
                              {id}));
  if (rows.empty()) return std::optional<Block>();
  return std::optional(block_of(rows.front()));
}

Result<bool> BlockRepository::end(std::int64_t id, std::int64_t now_ms, const std::string& by) {
  SENTINEL_ASSIGN(changed, connection_.execute("UPDATE firewall_blocks SET removed_at = $1, "
                                               "removed_by = $2 WHERE " +
                                                   std::string(kActive) + " AND id = $3",
                                               {now_ms, by, id}));
  return changed > 0;
}

Result<BlockPage> BlockRepository::list(const BlockFilter& filter, std::int64_t now_ms) {
  // PostgreSQL cannot type a parameter that no column gives a type: `now` is bound only when a
  // condition uses it.
  std::string where = "1 = 1";
  store::Params params;
  if (filter.active) {
    where = *filter.active ? std::string(kActive) : "(removed_at IS NOT NULL OR expires_at <= $1)";
    params.emplace_back(now_ms);
  }
  SENTINEL_ASSIGN(count,
                  connection_.query("SELECT COUNT(*) FROM firewall_blocks WHERE " + where, params));
  const std::size_t next = params.size() + 1;
  params.emplace_back(filter.limit);
  params.emplace_back(filter.offset);
  SENTINEL_ASSIGN(
      items, blocks(fmt::format("{} ORDER BY id DESC LIMIT ${} OFFSET ${}", where, next, next + 1),
                    params));
  return BlockPage{std::move(items), count.at(0).integer(0)};
}

Result<std::vector<Block>> BlockRepository::active_of_address(const std::string& address,
                                                              std::int64_t now_ms) {
  return blocks(std::string(kActive) + " AND address = $2 ORDER BY id", {now_ms, address});
}

Result<std::vector<Block>> BlockRepository::active_covering(const std::string& agent_id,
                                                            const std::string& group,
                                                            std::int64_t now_ms) {
  std::string where =
      std::string(kActive) + " AND (scope = 'all' OR (scope = 'agent' AND scope_value = $2)";
  store::Params params = {now_ms, agent_id};
  if (!group.empty()) {
    where += " OR (scope = 'group' AND scope_value = $3)";
    params.emplace_back(group);
  }
  return blocks(where + ") ORDER BY id", params);
}

Result<std::vector<Block>> BlockRepository::active(std::int64_t now_ms) {
  return blocks(std::string(kActive) + " ORDER BY id", {now_ms});
}

Result<std::vector<Block>> BlockRepository::blocks(std::string_view where,
                                                   const store::Params& params) {
  SENTINEL_ASSIGN(
      rows, connection_.query(
                fmt::format("SELECT {} FROM firewall_blocks WHERE {}", kColumns, where), params));
  std::vector<Block> out;
  out.reserve(rows.size());
  for (const store::Row& row : rows) out.push_back(block_of(row));
  return out;
}

}  // namespace sentinel::firewall
