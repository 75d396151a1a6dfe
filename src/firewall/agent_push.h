#pragma once
// Pushes to one agent over the channel (ADR 0006 "Compilation and apply", "Commit-confirm",
// "Channel commands and agent events"): apply its effective policy and confirm it, synchronise
// it after a connect, and record what its events say. Every state change is stored, then
// published on the bus topic "firewall".

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "firewall_events.h"
#include "sentinel/agents/agent_channel.h"
#include "sentinel/agents/agent_registry.h"
#include "sentinel/bus/bus.h"
#include "sentinel/common/clock.h"
#include "sentinel/firewall/policy_service.h"
#include "sentinel/store/database.h"

namespace sentinel::firewall {

/// The collaborators of AgentPush; each must outlive it.
struct PushContext {
  store::Database& database;
  bus::Bus& bus;
  const Clock& clock;
  agents::AgentRegistry& registry;
  agents::AgentChannel& channel;
  const ActiveBlocks& active_blocks;
  const PolicyServiceOptions& options;
  const KnownFeeds& feeds;
};

/// Thread-safe: pushes to one agent are serialised (an apply and a sync never interleave their
/// commands); different agents proceed in parallel. Blocks on the channel: call it from the
/// service's workers, never from the bus thread.
class AgentPush {
 public:
  explicit AgentPush(PushContext context) : context_(context) {}

  /// Validates the agent's effective policy for it, compiles it, sends `firewall_apply` (with
  /// the active blocks), stores what the agent reports, then sends `firewall_confirm` and marks
  /// it confirmed. A failure before the agent applied leaves the stored releases as they were
  /// and records the error. `only_policy`: kNoPolicy when the effective policy is another one.
  AgentApplyResult apply(const std::string& agent_id, std::optional<std::int64_t> only_policy,
                         bool force);

  /// After `agent_id` connected: asks `firewall_status`; confirms a pending apply of the
  /// effective version; applies when the confirmed release is not the effective policy (except
  /// a version the agent rolled back: that waits for an explicit apply or a new version);
  /// otherwise re-sends the active blocks the agent lacks.
  void sync(const std::string& agent_id);

  /// Stores a drift or rollback the agent reported.
  void record(const DriftEvent& event);
  void record(const RollbackEvent& event);

 private:
  AgentApplyResult apply_locked(const agents::AgentRecord& agent,
                                std::optional<std::int64_t> only_policy, bool force);
  /// Sends `firewall_confirm` for `version` and stores the outcome; the error, if any.
  std::string confirm(const std::string& agent_id, std::int64_t version);
  void resend_blocks(const std::string& agent_id, const std::vector<std::string>& held);
  void record_error(const std::string& agent_id, const std::string& message);
  /// Reads the agent's row back and publishes it with `action`.
  void publish(const std::string& agent_id, std::string_view action);
  std::mutex& agent_mutex(const std::string& agent_id);

  PushContext context_;
  std::mutex mutexes_mutex_;
  std::map<std::string, std::unique_ptr<std::mutex>> agent_mutexes_;
};

}  // namespace sentinel::firewall
