#pragma once
// SQL access to the shards of distributed jobs (schema src/store/migrations/0010_scan_shards.sql),
// over one connection so that the dispatcher composes it with result writes in one
// transaction. Every change of a leased shard is conditional on its holder, so that an agent
// whose lease was taken away cannot change the shard any more. Not thread-safe, like the
// connection it wraps.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scan_shards.h"
#include "sentinel/common/result.h"
#include "sentinel/store/database.h"

namespace sentinel::scanner {

/// A shard's place: queued -> leased -> done, and leased -> queued when its lease is lost.
enum class ShardStatus : std::uint8_t { kQueued, kLeased, kDone };

/// "queued", "leased" or "done".
std::string_view to_string(ShardStatus status);

/// One shard as stored. A plain value.
struct ShardRow {
  std::int64_t index = 0;
  std::string targets;
  std::int64_t address_count = 0;
  ShardStatus status = ShardStatus::kQueued;
  std::string agent_id;  // the holder of a leased shard, the last one of a done shard
  std::int64_t lease_expires_ms = 0;
  std::int64_t attempts = 0;  // leases lost or failed
  std::int64_t pairs_total = 0;
  std::int64_t pairs_done = 0;
  std::int64_t open_found = 0;
  double rate = 0;
  std::string error;    // the last failure
  std::string network;  // the network only whose agents may hold it ("" for any agent)
};

/// The holder's latest counters.
struct ShardProgress {
  std::int64_t pairs_done = 0;
  std::int64_t open_found = 0;
  double rate = 0;
};

class SqlShardRepository {
 public:
  explicit SqlShardRepository(store::Connection& connection) : connection_(connection) {}

  /// Stores the slices of a job as queued shards; `ports` per address gives each its
  /// pairs_total.
  Status insert(std::int64_t job_id, const std::vector<ShardSlice>& slices, std::int64_t ports);
  /// Every shard of a job, by index.
  Result<std::vector<ShardRow>> list(std::int64_t job_id);

  /// The lowest queued shard that `may_take` accepts (any, without it) becomes `agent_id`'s
  /// until `expires_ms`; nullopt when there is none.
  Result<std::optional<ShardRow>> lease_next(
      std::int64_t job_id, std::string_view agent_id, std::int64_t expires_ms,
      const std::function<bool(const ShardRow&)>& may_take = {});
  /// A poll answer: counters and a renewed lease. False when the shard is no longer leased to
  /// `agent_id`.
  Result<bool> renew(std::int64_t job_id, std::int64_t index, std::string_view agent_id,
                     const ShardProgress& progress, std::int64_t expires_ms);
  /// leased by `agent_id` -> done with the final counters. False when no longer its.
  Result<bool> complete(std::int64_t job_id, std::int64_t index, std::string_view agent_id,
                        const ShardProgress& progress);
  /// leased by `agent_id` -> queued again, counters cleared, `error` kept; an attempt counts
  /// unless `count_attempt` is false (the agent was merely busy). False when no longer its.
  Result<bool> requeue(std::int64_t job_id, std::int64_t index, std::string_view agent_id,
                       std::string_view error, bool count_attempt);

 private:
  store::Connection& connection_;
};

}  // namespace sentinel::scanner
