#pragma once
// SQL of blocks (table firewall_blocks and the offender locks, migration 0009), written once for
// SQLite and PostgreSQL.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/firewall/block.h"
#include "sentinel/store/database.h"

namespace sentinel::firewall {

/// Statements over one connection (a transaction or an autocommit view). Not thread-safe, like
/// the connection.
class BlockRepository {
 public:
  explicit BlockRepository(store::Connection& connection) : connection_(connection) {}

  /// Locks `address` against concurrent blocks until the transaction ends (an upsert of its
  /// offender row) and counts its blocks started after `since_ms`.
  Result<std::int64_t> lock_and_count_offences(const std::string& address, std::int64_t now_ms,
                                               std::int64_t since_ms);
  /// Stores a new block; returns its id.
  Result<std::int64_t> insert(const Block& block);
  /// Ends the active blocks of the block's address and scope, other than itself, that expire no
  /// later than it does; returns their ids.
  Result<std::vector<std::int64_t>> supersede(const Block& block, std::int64_t now_ms);
  /// nullopt for an unknown id.
  Result<std::optional<Block>> get(std::int64_t id);
  /// Ends an active block; false when it had already ended (removed or expired).
  Result<bool> end(std::int64_t id, std::int64_t now_ms, const std::string& by);
  /// A page, newest first.
  Result<BlockPage> list(const BlockFilter& filter, std::int64_t now_ms);
  /// Active blocks of one address.
  Result<std::vector<Block>> active_of_address(const std::string& address, std::int64_t now_ms);
  /// Active blocks whose scope covers an agent of `group` ("" for none).
  Result<std::vector<Block>> active_covering(const std::string& agent_id, const std::string& group,
                                             std::int64_t now_ms);
  /// Every active block.
  Result<std::vector<Block>> active(std::int64_t now_ms);

 private:
  Result<std::vector<Block>> blocks(std::string_view where, const store::Params& params);

  store::Connection& connection_;
};

}  // namespace sentinel::firewall
