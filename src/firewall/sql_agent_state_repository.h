#pragma once
// SQL access to what each agent's firewall is (table firewall_agent_state, migration 0008).
// Every write is one statement that creates the row when the agent has none. Not thread-safe,
// like the connection it wraps.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/firewall/policy_service.h"
#include "sentinel/store/database.h"

namespace sentinel::firewall {

/// A release an agent applied, as it reported it.
struct AppliedRelease {
  std::int64_t policy_id = 0;
  std::int64_t version = 0;
  std::string document_hash;
  std::string listing_hash;
  std::map<std::string, std::int64_t> sets;
};

class SqlAgentStateRepository {
 public:
  explicit SqlAgentStateRepository(store::Connection& connection) : connection_(connection) {}

  Result<std::optional<AgentFirewallState>> find(std::string_view agent_id);
  /// Every row by agent id, or the one of `agent_id`.
  Result<std::vector<AgentFirewallState>> list(const std::optional<std::string>& agent_id);

  /// The agent applied `release` (not confirmed yet); clears the last error.
  Status record_applied(std::string_view agent_id, const AppliedRelease& release,
                        std::int64_t now_ms);
  /// The agent confirmed `version`: when it is the applied one, it becomes the confirmed
  /// release. False when the applied release is another version.
  Result<bool> record_confirmed(std::string_view agent_id, std::int64_t version,
                                std::int64_t now_ms);
  /// An apply, confirm or status failed; the releases stay as they were.
  Status record_error(std::string_view agent_id, std::string_view message, std::int64_t now_ms);
  /// The agent repaired drift of `kind` seen at `at_ms`.
  Status record_drift(std::string_view agent_id, std::string_view kind, std::int64_t at_ms,
                      std::int64_t now_ms);
  /// The agent abandoned `abandoned` and went back to `restored` (none: it deleted its table).
  /// The applied release becomes the confirmed one when the versions agree, else unknown.
  Status record_rollback(std::string_view agent_id, std::optional<std::int64_t> abandoned,
                         std::optional<std::int64_t> restored, std::int64_t at_ms,
                         std::int64_t now_ms);

 private:
  /// Creates the agent's row when it has none.
  Status ensure_row(std::string_view agent_id, std::int64_t now_ms);

  store::Connection& connection_;
};

}  // namespace sentinel::firewall
