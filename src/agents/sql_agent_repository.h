#pragma once
// The agents, agent_labels and agent_certificates tables in portable SQL (SQLite, PostgreSQL).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/agents/agent_registry.h"
#include "sentinel/store/database.h"

namespace sentinel::agents {

/// A certificate that may connect: its agent is not revoked, it is neither revoked nor expired.
struct LiveCertificate {
  std::string agent_id;
  std::string serial_hex;
  std::int64_t not_after_ms = 0;
};

/// Statements over one connection (a transaction or autocommit). Not thread-safe, like it.
class SqlAgentRepository {
 public:
  explicit SqlAgentRepository(store::Connection& connection) : connection_(connection) {}

  /// Inserts the agent with its labels.
  Status insert(const AgentRecord& agent);
  Status insert_certificate(std::string_view agent_id, const IssuedCertificate& certificate,
                            std::int64_t issued_at_ms);
  /// The agent with its newest certificate; status left for the caller (see agent_status.h).
  Result<std::optional<AgentRecord>> find(std::string_view id);
  /// A page of `filter` (status as agent_status.h says, at `now_ms`) and the count of every
  /// match.
  Result<AgentPage> list(const AgentFilter& filter, std::int64_t now_ms,
                         std::int64_t offline_after_ms);
  /// Replaces group and labels. False when there is no such agent.
  Result<bool> set_placement(std::string_view id, std::string_view group,
                             const AgentLabels& labels);
  /// Revokes the agent and its certificates. False when unknown or already revoked.
  Result<bool> revoke(std::string_view id, std::int64_t now_ms);
  /// Deletes the agent with its labels and certificates. False when unknown.
  Result<bool> remove(std::string_view id);
  /// Stores the facts of a new connection. False when unknown or revoked.
  Result<bool> mark_connected(std::string_view id, const AgentFacts& facts,
                              std::string_view remote_address, std::int64_t now_ms);
  /// False when unknown.
  Result<bool> mark_disconnected(std::string_view id, std::int64_t now_ms);
  /// Moves last_seen forward (never back).
  Status advance_last_seen(std::string_view id, std::int64_t seen_ms);
  /// Every certificate that may connect at `now_ms`.
  Result<std::vector<LiveCertificate>> live_certificates(std::int64_t now_ms);
  /// The agent's unrevoked, unexpired certificates.
  Result<std::int64_t> count_live_certificates(std::string_view agent_id, std::int64_t now_ms);

 private:
  Status write_labels(std::string_view id, const AgentLabels& labels);

  store::Connection& connection_;
};

}  // namespace sentinel::agents
