#pragma once
// The firewall policy service (ADR 0006, module `firewall`): policies and their immutable
// versions, assignments to agent groups and single agents, validation and preview for an agent,
// the push to agents through the channel (apply, then confirm) and what each agent's firewall
// is (applied, confirmed, drift, rollback).

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/agents/agent_channel.h"
#include "sentinel/agents/agent_registry.h"
#include "sentinel/auth/audit_log.h"
#include "sentinel/auth/auth_types.h"
#include "sentinel/auth/principal.h"
#include "sentinel/bus/bus.h"
#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"
#include "sentinel/firewall/policy_diff.h"
#include "sentinel/firewall/policy_problem.h"
#include "sentinel/firewall/ruleset.h"
#include "sentinel/server/service.h"
#include "sentinel/store/database.h"

namespace sentinel::firewall {

/// A policy as listed: its name and where its history stands.
struct PolicySummary {
  std::int64_t id = 0;
  std::string name;
  std::string description;
  std::int64_t version = 0;  // the newest version's number (the first is 1)
  std::int64_t created_ms = 0;
  std::string created_by;
  std::int64_t updated_ms = 0;
  std::string updated_by;
};

/// One page of policies, by name.
struct PolicyPage {
  std::vector<PolicySummary> items;
  std::int64_t total = 0;
};

/// One immutable version of a policy.
struct PolicyVersion {
  std::int64_t policy_id = 0;
  std::int64_t version = 0;
  std::string author;
  std::int64_t created_ms = 0;
  std::string comment;
  std::string document_json;  // canonical JSON of the document; empty in version lists
  std::string sha256;         // hex SHA-256 of document_json
};

/// A policy with its newest version.
struct PolicyDetail {
  PolicySummary policy;
  PolicyVersion latest;
};

/// What a save (create, edit, rollback) stored, and the warnings validation gave.
struct SavedPolicy {
  PolicySummary policy;
  PolicyVersion version;
  std::vector<Problem> warnings;
};

/// A new policy. `document_json` is a policy document (src/firewall/policy/README.md).
struct NewPolicy {
  std::string name;
  std::string description;
  std::string document_json;
  std::string comment;
};

/// An edit: always a new version. `base_version` (If-Match or the body's base_version) is the
/// version the edit started from; when set and not the newest, the edit is refused (kConflict).
struct PolicyEdit {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::string document_json;
  std::string comment;
  std::optional<std::int64_t> base_version;
};

/// Saves the document of `version` as the newest version.
struct PolicyRollback {
  std::int64_t version = 0;
  std::string comment;
  std::optional<std::int64_t> base_version;
};

/// Whom an assignment is for: every agent of a group, or one agent.
enum class AssignmentTarget { kGroup, kAgent };

/// A policy assigned to a group or an agent, with a priority (higher wins).
struct Assignment {
  std::int64_t policy_id = 0;
  AssignmentTarget target = AssignmentTarget::kGroup;
  std::string value;  // the group name or the agent id
  std::int64_t priority = 0;
  std::int64_t created_ms = 0;
  std::string created_by;
};

/// The policy an agent gets: its own assignments before its group's, then the highest priority,
/// then the lowest policy id; the policy's newest version.
struct EffectivePolicy {
  std::string agent_id;
  Assignment assignment;
  PolicySummary policy;
  PolicyVersion version;
};

/// What the server knows of one agent's firewall (see migration 0008 for the columns).
struct AgentFirewallState {
  std::string agent_id;
  std::optional<std::int64_t> policy_id;  // the release last applied
  std::optional<std::int64_t> version;
  std::string document_hash;
  std::string listing_hash;
  std::map<std::string, std::int64_t> sets;  // static set name -> elements, as reported
  std::optional<std::int64_t> applied_ms;
  bool confirmed = false;  // the applied release was confirmed
  std::optional<std::int64_t> confirmed_ms;
  std::optional<std::int64_t> confirmed_policy_id;  // the release the agent falls back to
  std::optional<std::int64_t> confirmed_version;
  std::string confirmed_document_hash;
  std::string last_error;
  std::optional<std::int64_t> last_error_ms;
  std::int64_t drift_count = 0;
  std::optional<std::int64_t> last_drift_ms;
  std::string last_drift_kind;
  std::optional<std::int64_t> rolled_back_ms;
  std::optional<std::int64_t> rolled_back_version;  // the release the agent abandoned
  std::optional<std::int64_t> restored_version;     // what it went back to (none: table deleted)
  std::int64_t updated_ms = 0;
};

/// A state row with what the agent should have: `effective` is absent when no policy is
/// assigned; `in_sync` when the confirmed release is the effective policy's newest version.
struct AgentFirewallStatus {
  AgentFirewallState state;
  std::optional<EffectivePolicy> effective;
  bool in_sync = false;
};

/// A document to check. With `agent_id`, the cut-off check runs for that agent (its last seen
/// address and the channel endpoint); `force` turns cut-off errors into warnings.
struct ValidationRequest {
  std::string document_json;
  std::optional<std::string> agent_id;
  bool force = false;
};

/// The nft text an agent would get for a policy version, and that version's problems for it.
struct PolicyPreview {
  std::int64_t policy_id = 0;
  std::int64_t version = 0;
  std::string agent_id;  // empty: no agent (no cut-off check)
  std::string nft;       // empty when the problems hold errors
  std::vector<Problem> problems;
};

/// POST /api/v1/firewall/apply: which agents get their effective policy now. No `agent_ids`:
/// every agent with an effective policy (narrowed to `policy_id` when given).
struct ApplyRequest {
  std::optional<std::int64_t> policy_id;
  std::vector<std::string> agent_ids;
  bool force = false;
};

/// How an apply to one agent ended.
enum class ApplyOutcome {
  kConfirmed,    // applied and confirmed
  kUnconfirmed,  // applied, the confirm failed: the agent rolls back after the grace period
  kFailed,       // the agent did not apply it (its previous ruleset stays)
  kRefused,      // validation refused it for this agent (cut-off, unless forced)
  kOffline,      // not connected here: it gets the policy when it connects
  kNoPolicy,     // no policy assigned (or not the requested policy)
  kPending,      // still running when the answer was due: see the status and the stream
};
/// "confirmed", "unconfirmed", "failed", "refused", "offline", "no_policy", "pending".
std::string_view to_string(ApplyOutcome outcome);

/// One agent's apply.
struct AgentApplyResult {
  std::string agent_id;
  ApplyOutcome outcome = ApplyOutcome::kFailed;
  std::optional<std::int64_t> policy_id;
  std::optional<std::int64_t> version;
  std::string error;
  std::vector<Problem> problems;  // for kRefused: the validation problems
};

/// An active block to carry into a `firewall_apply` or to re-send after a reconnect.
struct BlockToSend {
  std::string address;
  std::int64_t remaining_s = 0;
};

/// The active blocks in scope of an agent (provided by the block service). Called on the
/// service's worker threads; must be thread-safe.
using ActiveBlocks = std::function<std::vector<BlockToSend>(const std::string& agent_id)>;

/// The stored contents of the enabled feeds (provided by the feed service); null: none known.
/// Called on the service's workers and request threads; must be thread-safe.
using KnownFeeds = std::function<std::shared_ptr<const FeedContents>()>;

/// Settings; `channel_listen` and `public_channel_url` are config agents.listen and
/// agents.public_channel_url (the endpoint the cut-off check protects).
struct PolicyServiceOptions {
  std::chrono::seconds confirm_grace{60};  // firewall.confirm_grace_s, told to the agent
  std::string channel_listen;
  std::string public_channel_url;
  std::size_t workers = 8;  // applies to agents at once
  std::size_t max_queued = 4096;
  // Bounded so that an apply answered over HTTP stays inside the gateway's request timeout.
  std::chrono::milliseconds apply_timeout{15'000};
  std::chrono::milliseconds confirm_timeout{5'000};
  std::chrono::milliseconds status_timeout{5'000};
  /// apply() answers by then at the latest; agents not done are kPending (their push goes on).
  std::chrono::milliseconds apply_answer_deadline{25'000};
};

/// Collaborators; each must outlive the service. `active_blocks` may be empty (no blocks);
/// `feeds` may be empty (feed sets stay unknown: cautious validation, compiled empty).
struct PolicyServiceDependencies {
  store::Database& database;
  auth::AuditLog& audit;
  bus::Bus& bus;
  const Clock& clock;
  agents::AgentRegistry& registry;
  agents::AgentChannel& channel;
  ActiveBlocks active_blocks;
  KnownFeeds feeds = {};
};

/// Thread-safe. Saves are validated (errors refuse the save: kInvalidArgument, reason
/// "invalid_policy", every problem in the message) and audited (`firewall.policy.create`,
/// `.update`, `.rollback`, `.delete`, `firewall.assignments.set`, `firewall.apply`). start()
/// subscribes to the bus: on `agent` `connected` the agent is synchronised (status, then apply
/// when its confirmed release is not its effective policy, else the blocks it lacks);
/// `firewall.drift` and `firewall.rolled_back` events are recorded. Every change of an agent's
/// state is published on the topic "firewall" as {"type":"firewall","action",...,"state":{...}}.
class PolicyService : public server::Service {
 public:
  /// kInvalidArgument for options that cannot work (no workers, a grace outside 5..3600 s).
  static Result<std::unique_ptr<PolicyService>> create(PolicyServiceDependencies dependencies,
                                                       PolicyServiceOptions options);

  /// kInvalidArgument for a limit outside 1..1000 or a negative offset.
  virtual Result<PolicyPage> list(std::int64_t limit, std::int64_t offset) = 0;
  /// kNotFound.
  virtual Result<PolicyDetail> get(std::int64_t id) = 0;
  /// Version 1. kConflict (field "name") when the name is taken.
  virtual Result<SavedPolicy> create_policy(const auth::Principal& caller, const NewPolicy& policy,
                                            const auth::ClientInfo& client) = 0;
  /// A new version. kConflict (reason "version_conflict", field "base_version") when
  /// base_version is not the newest; kNotFound.
  virtual Result<SavedPolicy> update(const auth::Principal& caller, std::int64_t id,
                                     const PolicyEdit& edit, const auth::ClientInfo& client) = 0;
  /// Deletes the policy, its versions and assignments; agents keep what they applied.
  virtual Status remove(const auth::Principal& caller, std::int64_t id,
                        const auth::ClientInfo& client) = 0;
  /// Newest first, without documents. kNotFound.
  virtual Result<std::vector<PolicyVersion>> versions(std::int64_t id) = 0;
  /// kNotFound for an unknown policy or version.
  virtual Result<PolicyVersion> version(std::int64_t id, std::int64_t number) = 0;
  /// The changes from version `from` to version `to`. kNotFound.
  virtual Result<PolicyDiff> diff(std::int64_t id, std::int64_t from, std::int64_t to) = 0;
  /// Saves an old version's document as the newest version (history only grows).
  virtual Result<SavedPolicy> rollback(const auth::Principal& caller, std::int64_t id,
                                       const PolicyRollback& rollback,
                                       const auth::ClientInfo& client) = 0;

  /// Every problem of a document (parser's, then validator's). kNotFound for an unknown agent.
  virtual Result<std::vector<Problem>> validate(const ValidationRequest& request) = 0;
  /// A version (newest when absent) compiled for an agent (none when agent_id is empty).
  virtual Result<PolicyPreview> preview(std::int64_t id, std::optional<std::int64_t> version,
                                        const std::string& agent_id) = 0;

  /// A policy's assignments, agents first, then by priority (highest first). kNotFound.
  virtual Result<std::vector<Assignment>> assignments(std::int64_t id) = 0;
  /// Replaces a policy's assignments. kInvalidArgument for an unknown agent or a duplicate.
  virtual Result<std::vector<Assignment>> set_assignments(const auth::Principal& caller,
                                                          std::int64_t id,
                                                          const std::vector<Assignment>& wanted,
                                                          const auth::ClientInfo& client) = 0;
  /// The agent's effective policy, or nullopt when none is assigned. kNotFound.
  virtual Result<std::optional<EffectivePolicy>> effective(const std::string& agent_id) = 0;

  /// State rows by agent id (one agent when agent_id is set).
  virtual Result<std::vector<AgentFirewallStatus>> status(
      const std::optional<std::string>& agent_id) = 0;
  /// Applies each targeted agent's effective policy (in parallel on the service's workers) and
  /// answers when every agent answered or timed out, or at apply_answer_deadline (the rest are
  /// kPending). kInvalidArgument for an unknown policy or agent.
  virtual Result<std::vector<AgentApplyResult>> apply(const auth::Principal& caller,
                                                      const ApplyRequest& request,
                                                      const auth::ClientInfo& client) = 0;
};

}  // namespace sentinel::firewall
