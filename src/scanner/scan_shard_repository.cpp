#include "scan_shard_repository.h"

#include <fmt/format.h>

namespace sentinel::scanner {
namespace {

constexpr std::string_view kSelectShard =
    "SELECT shard_index, targets, address_count, status, agent_id, lease_expires_at, attempts, "
    "pairs_total, pairs_done, open_found, rate, error, network FROM scan_shards";

double real_of(const store::Row& row, std::size_t column) {
  const store::Value& value = row.at(column);
  if (const auto* real = std::get_if<double>(&value)) return *real;
  return static_cast<double>(row.integer(column));
}

Result<ShardRow> shard_of(const store::Row& row) {
  ShardRow shard;
  shard.index = row.integer(0);
  shard.targets = row.text(1);
  shard.address_count = row.integer(2);
  const std::string status = row.text(3);
  if (status == "queued") {
    shard.status = ShardStatus::kQueued;
  } else if (status == "leased") {
    shard.status = ShardStatus::kLeased;
  } else if (status == "done") {
    shard.status = ShardStatus::kDone;
  } else {
    return internal_error(
        fmt::format("scan shard {} has an unknown status '{}'", shard.index, status));
  }
  shard.agent_id = row.text(4);
  shard.lease_expires_ms = row.optional_integer(5).value_or(0);
  shard.attempts = row.integer(6);
  shard.pairs_total = row.integer(7);
  shard.pairs_done = row.integer(8);
  shard.open_found = row.integer(9);
  shard.rate = real_of(row, 10);
  shard.error = row.text(11);
  shard.network = row.text(12);
  return shard;
}

}  // namespace

std::string_view to_string(ShardStatus status) {
  switch (status) {
    case ShardStatus::kQueued:
      return "queued";
    case ShardStatus::kLeased:
      return "leased";
    case ShardStatus::kDone:
      return "done";
  }
  return "queued";
}

Status SqlShardRepository::insert(std::int64_t job_id, const std::vector<ShardSlice>& slices,
                                  std::int64_t ports) {
  for (const ShardSlice& slice : slices) {
    const auto count = static_cast<std::int64_t>(slice.address_count);
    SENTINEL_TRY(connection_.execute(
        "INSERT INTO scan_shards (job_id, shard_index, targets, address_count, status, "
        "pairs_total, network) VALUES ($1, $2, $3, $4, 'queued', $5, $6)",
        {job_id, slice.index, slice.targets, count, count * ports,
         slice.network.empty() ? store::Value(nullptr) : store::Value(slice.network)}));
  }
  return ok();
}

Result<std::vector<ShardRow>> SqlShardRepository::list(std::int64_t job_id) {
  SENTINEL_ASSIGN(
      rows, connection_.query(std::string(kSelectShard) + " WHERE job_id = $1 ORDER BY shard_index",
                              {job_id}));
  std::vector<ShardRow> shards;
  shards.reserve(rows.size());
  for (const store::Row& row : rows) {
    SENTINEL_ASSIGN(shard, shard_of(row));
    shards.push_back(std::move(shard));
  }
  return shards;
}

Result<std::optional<ShardRow>> SqlShardRepository::lease_next(
    std::int64_t job_id, std::string_view agent_id, std::int64_t expires_ms,
    const std::function<bool(const ShardRow&)>& may_take) {
  // Another process may lease the same row between the SELECT and the UPDATE: the UPDATE is
  // conditional, and a lost race tries the next queued shard.
  for (int tries = 0; tries < 8; ++tries) {
    // Without a filter the first queued shard will do.
    SENTINEL_ASSIGN(rows, connection_.query(std::string(kSelectShard) +
                                                " WHERE job_id = $1 AND status = 'queued' "
                                                "ORDER BY shard_index" +
                                                (may_take ? "" : " LIMIT 1"),
                                            {job_id}));
    std::optional<ShardRow> next;
    for (const store::Row& row : rows) {
      SENTINEL_ASSIGN(queued, shard_of(row));
      if (!may_take || may_take(queued)) {
        next = std::move(queued);
        break;
      }
    }
    if (!next) return std::optional<ShardRow>();
    ShardRow shard = std::move(*next);
    SENTINEL_ASSIGN(changed, connection_.execute(
                                 "UPDATE scan_shards SET status = 'leased', agent_id = $3, "
                                 "lease_expires_at = $4, pairs_done = 0, open_found = 0, rate = 0 "
                                 "WHERE job_id = $1 AND shard_index = $2 AND status = 'queued'",
                                 {job_id, shard.index, std::string(agent_id), expires_ms}));
    if (changed == 1) {
      shard.status = ShardStatus::kLeased;
      shard.agent_id = std::string(agent_id);
      shard.lease_expires_ms = expires_ms;
      shard.pairs_done = 0;
      shard.open_found = 0;
      shard.rate = 0;
      return std::optional<ShardRow>(std::move(shard));
    }
  }
  return std::optional<ShardRow>();
}

Result<bool> SqlShardRepository::renew(std::int64_t job_id, std::int64_t index,
                                       std::string_view agent_id, const ShardProgress& progress,
                                       std::int64_t expires_ms) {
  SENTINEL_ASSIGN(
      changed,
      connection_.execute("UPDATE scan_shards SET pairs_done = $4, open_found = $5, rate = $6, "
                          "lease_expires_at = $7 WHERE job_id = $1 AND shard_index = $2 AND "
                          "status = 'leased' AND agent_id = $3",
                          {job_id, index, std::string(agent_id), progress.pairs_done,
                           progress.open_found, progress.rate, expires_ms}));
  return changed == 1;
}

Result<bool> SqlShardRepository::complete(std::int64_t job_id, std::int64_t index,
                                          std::string_view agent_id,
                                          const ShardProgress& progress) {
  SENTINEL_ASSIGN(changed,
                  connection_.execute(
                      "UPDATE scan_shards SET status = 'done', pairs_done = pairs_total, "
                      "open_found = $4, rate = $5, lease_expires_at = NULL WHERE "
                      "job_id = $1 AND shard_index = $2 AND status = 'leased' AND "
                      "agent_id = $3",
                      {job_id, index, std::string(agent_id), progress.open_found, progress.rate}));
  return changed == 1;
}

Result<bool> SqlShardRepository::requeue(std::int64_t job_id, std::int64_t index,
                                         std::string_view agent_id, std::string_view error,
                                         bool count_attempt) {
  SENTINEL_ASSIGN(
      changed,
      connection_.execute(
          "UPDATE scan_shards SET status = 'queued', agent_id = NULL, lease_expires_at = NULL, "
          "pairs_done = 0, open_found = 0, rate = 0, attempts = attempts + $4, "
          "error = COALESCE($5, error) WHERE job_id = $1 AND shard_index = $2 AND "
          "status = 'leased' AND agent_id = $3",
          {job_id, index, std::string(agent_id), std::int64_t{count_attempt ? 1 : 0},
           error.empty() ? store::Value(nullptr) : store::Value(std::string(error))}));
  return changed == 1;
}

}  // namespace sentinel::scanner
