// The firewall policy service: policies and versions, assignments, validation and preview for
// an agent, applies to agents on the service's workers, and the bus subscriptions that
// synchronise connecting agents and record their firewall events.

#include "sentinel/firewall/policy_service.h"

#include <fmt/format.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <future>
#include <set>

#include "../agents/placement.h"
#include "../auth/autocommit.h"
#include "agent_push.h"
#include "channel_endpoint.h"
#include "effective_policy.h"
#include "feed_context.h"
#include "firewall_events.h"
#include "firewall_workers.h"
#include "logger.h"
#include "policy_check.h"
#include "sentinel/common/text.h"
#include "sentinel/firewall/nft_compiler.h"
#include "sentinel/firewall/policy_parser.h"
#include "sql_agent_state_repository.h"
#include "sql_policy_repository.h"

namespace sentinel::firewall {

std::string_view to_string(ApplyOutcome outcome) {
  switch (outcome) {
    case ApplyOutcome::kConfirmed:
      return "confirmed";
    case ApplyOutcome::kUnconfirmed:
      return "unconfirmed";
    case ApplyOutcome::kFailed:
      return "failed";
    case ApplyOutcome::kRefused:
      return "refused";
    case ApplyOutcome::kOffline:
      return "offline";
    case ApplyOutcome::kNoPolicy:
      return "no_policy";
    case ApplyOutcome::kPending:
      return "pending";
  }
  return "failed";
}

namespace {

constexpr std::size_t kMaxNameLength = 64;
constexpr std::size_t kMaxDescriptionLength = 1024;
constexpr std::size_t kMaxCommentLength = 1024;
constexpr std::size_t kMaxAssignments = 1000;
constexpr std::int64_t kMaxPriority = 1'000'000;
constexpr std::int64_t kAgentPage = 1000;

Status check_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || has_control_character(name) ||
      name.front() == ' ' || name.back() == ' ') {
    return invalid_argument(
        fmt::format("a policy name has 1 to {} characters, no control characters and no "
                    "leading or trailing space",
                    kMaxNameLength),
        "name");
  }
  return ok();
}

Status check_text(std::string_view text, std::size_t max, std::string_view field) {
  if (text.size() > max) {
    return invalid_argument(fmt::format("'{}' is longer than {} bytes", field, max),
                            std::string(field));
  }
  if (has_control_character(text, "\n\t")) {
    return invalid_argument(fmt::format("'{}' holds a control character", field),
                            std::string(field));
  }
  return ok();
}

std::string policy_target(std::int64_t id) { return "firewall_policy:" + std::to_string(id); }

Error no_policy(std::int64_t id) { return not_found(fmt::format("No firewall policy {}.", id)); }

// What an edit, a rollback or a creation saves.
struct VersionToSave {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::string document_json;
  std::string comment;
  std::optional<std::int64_t> base_version;
};

class PolicyServiceImpl final : public PolicyService {
 public:
  PolicyServiceImpl(PolicyServiceDependencies dependencies, PolicyServiceOptions options)
      : database_(dependencies.database),
        audit_(dependencies.audit),
        bus_(dependencies.bus),
        clock_(dependencies.clock),
        registry_(dependencies.registry),
        channel_(dependencies.channel),
        active_blocks_(std::move(dependencies.active_blocks)),
        feeds_(std::move(dependencies.feeds)),
        options_(std::move(options)),
        push_(PushContext{database_, bus_, clock_, registry_, channel_, active_blocks_, options_,
                          feeds_}),
        workers_(options_.workers, options_.max_queued) {}

  ~PolicyServiceImpl() override { stop(); }

  std::string_view name() const override { return "firewall"; }

  Status start() override {
    workers_.start();
    agent_subscription_ = bus_.subscribe(
        "agent", [this](const bus::Message& message) { on_agent_message(message.payload); });
    event_subscription_ = bus_.subscribe(
        "event", [this](const bus::Message& message) { on_event_message(message.payload); });
    firewall_log().info("firewall policy service started grace_s={} workers={}",
                        options_.confirm_grace.count(), options_.workers);
    return ok();
  }

  void stop() override {
    // Subscriptions first: destroying one waits for a delivery that may be queueing work.
    agent_subscription_.reset();
    event_subscription_.reset();
    workers_.stop();
  }

  // ---- policies ----

  Result<PolicyPage> list(std::int64_t limit, std::int64_t offset) override {
    if (limit < 1 || limit > 1000) {
      return invalid_argument("limit must be between 1 and 1000", "limit");
    }
    if (offset < 0) return invalid_argument("offset must not be negative", "offset");
    auth::Autocommit connection(database_);
    return SqlPolicyRepository(connection).list(limit, offset);
  }

  Result<PolicyDetail> get(std::int64_t id) override {
    auth::Autocommit connection(database_);
    SqlPolicyRepository policies(connection);
    SENTINEL_ASSIGN(policy, policies.find(id));
    if (!policy) return no_policy(id);
    SENTINEL_ASSIGN(latest, policies.version(id, policy->version));
    if (!latest) return internal_error("a firewall policy has no row for its newest version");
    return PolicyDetail{std::move(*policy), std::move(*latest)};
  }

  Result<SavedPolicy> create_policy(const auth::Principal& caller, const NewPolicy& policy,
                                    const auth::ClientInfo& client) override {
    SENTINEL_TRY(check_name(policy.name));
    SENTINEL_TRY(check_text(policy.description, kMaxDescriptionLength, "description"));
    SENTINEL_TRY(check_text(policy.comment, kMaxCommentLength, "comment"));
    CheckedDocument checked = check_document(policy.document_json, {});
    if (!checked.ok()) return invalid_policy(checked.problems);
    const std::int64_t now = clock_.now_ms();
    SavedPolicy saved;
    saved.policy = PolicySummary{.id = 0,
                                 .name = policy.name,
                                 .description = policy.description,
                                 .version = 1,
                                 .created_ms = now,
                                 .created_by = caller.username,
                                 .updated_ms = now,
                                 .updated_by = caller.username};
    saved.version = PolicyVersion{.policy_id = 0,
                                  .version = 1,
                                  .author = caller.username,
                                  .created_ms = now,
                                  .comment = policy.comment,
                                  .document_json = checked.canonical_json,
                                  .sha256 = checked.sha256};
    Status stored = database_.transact([&](store::Connection& connection) -> Status {
      SqlPolicyRepository policies(connection);
      SENTINEL_ASSIGN(id, policies.insert_policy(saved.policy));
      saved.policy.id = id;
      saved.version.policy_id = id;
      return policies.insert_version(saved.version);
    });
    if (!stored) {
      if (stored.error().code == ErrorCode::kConflict) {
        return conflict(fmt::format("a firewall policy named \"{}\" exists", policy.name), "name");
      }
      return std::move(stored).error();
    }
    saved.warnings = warnings_of(checked.problems);
    audit(caller, client, "firewall.policy.create", saved.policy.id,
          {{"name", saved.policy.name}, {"version", 1}, {"sha256", saved.version.sha256}});
    announce("policy.create", saved.policy.id, saved.version.version);
    firewall_log().info("policy created id={} name=\"{}\" by={}", saved.policy.id,
                        saved.policy.name, caller.username);
    return saved;
  }

  Result<SavedPolicy> update(const auth::Principal& caller, std::int64_t id, const PolicyEdit& edit,
                             const auth::ClientInfo& client) override {
    if (edit.name) SENTINEL_TRY(check_name(*edit.name));
    if (edit.description) {
      SENTINEL_TRY(check_text(*edit.description, kMaxDescriptionLength, "description"));
    }
    return save_version(caller, id,
                        VersionToSave{edit.name, edit.description, edit.document_json, edit.comment,
                                      edit.base_version},
                        "firewall.policy.update", {}, client);
  }

  Status remove(const auth::Principal& caller, std::int64_t id,
                const auth::ClientInfo& client) override {
    std::string name;
    SENTINEL_TRY(database_.transact([&](store::Connection& connection) -> Status {
      SqlPolicyRepository policies(connection);
      SENTINEL_ASSIGN(policy, policies.find(id));
      if (!policy) return no_policy(id);
      name = policy->name;
      SENTINEL_ASSIGN(removed, policies.remove(id));
      if (!removed) return no_policy(id);
      return ok();
    }));
    audit(caller, client, "firewall.policy.delete", id, {{"name", name}});
    announce("policy.delete", id, std::nullopt);
    firewall_log().info("policy deleted id={} name=\"{}\" by={}", id, name, caller.username);
    return ok();
  }

  Result<std::vector<PolicyVersion>> versions(std::int64_t id) override {
    auth::Autocommit connection(database_);
    SqlPolicyRepository policies(connection);
    SENTINEL_ASSIGN(policy, policies.find(id));
    if (!policy) return no_policy(id);
    return policies.versions(id);
  }

  Result<PolicyVersion> version(std::int64_t id, std::int64_t number) override {
    auth::Autocommit connection(database_);
    SqlPolicyRepository policies(connection);
    SENTINEL_ASSIGN(policy, policies.find(id));
    if (!policy) return no_policy(id);
    SENTINEL_ASSIGN(found, policies.version(id, number));
    if (!found) {
      return not_found(fmt::format("Firewall policy {} has no version {} (newest: {}).", id, number,
                                   policy->version));
    }
    return std::move(*found);
  }

  Result<PolicyDiff> diff(std::int64_t id, std::int64_t from, std::int64_t to) override {
    SENTINEL_ASSIGN(before, version(id, from));
    SENTINEL_ASSIGN(after, version(id, to));
    return diff_policies(parse_policy(before.document_json).document,
                         parse_policy(after.document_json).document);
  }

  Result<SavedPolicy> rollback(const auth::Principal& caller, std::int64_t id,
                               const PolicyRollback& rollback,
                               const auth::ClientInfo& client) override {
    SENTINEL_ASSIGN(current, get(id));
    std::optional<PolicyVersion> old;
    {
      auth::Autocommit connection(database_);
      SENTINEL_ASSIGN(found, SqlPolicyRepository(connection).version(id, rollback.version));
      old = std::move(found);
    }
    if (!old) {
      // The policy exists: the body names a version it does not have.
      return invalid_argument(fmt::format("firewall policy {} has no version {} (newest: {})", id,
                                          rollback.version, current.policy.version),
                              "version");
    }
    std::string comment = rollback.comment.empty()
                              ? fmt::format("rollback to version {}", rollback.version)
                              : rollback.comment;
    return save_version(caller, id,
                        VersionToSave{std::nullopt, std::nullopt, old->document_json,
                                      std::move(comment), rollback.base_version},
                        "firewall.policy.rollback", {{"restored_version", rollback.version}},
                        client);
  }

  // ---- validation and preview ----

  Result<std::vector<Problem>> validate(const ValidationRequest& request) override {
    CutOffContext cut_off;
    if (request.agent_id) {
      Result<agents::AgentRecord> agent = registry_.get(*request.agent_id);
      if (!agent) return unknown_agent(agent.error(), *request.agent_id, "agent_id");
      cut_off = agent_cut_off(*agent);
    }
    CheckedDocument checked =
        check_document(request.document_json,
                       with_known_feeds(validation_context(cut_off, request.force), feeds_));
    if (auto warning = unknown_endpoint_warning(cut_off)) checked.problems.push_back(*warning);
    return std::move(checked.problems);
  }

  Result<PolicyPreview> preview(std::int64_t id, std::optional<std::int64_t> number,
                                const std::string& agent_id) override {
    std::int64_t wanted = 0;
    if (number) {
      wanted = *number;
    } else {
      SENTINEL_ASSIGN(detail, get(id));
      wanted = detail.policy.version;
    }
    SENTINEL_ASSIGN(found, version(id, wanted));
    CutOffContext cut_off;
    if (!agent_id.empty()) {
      Result<agents::AgentRecord> agent = registry_.get(agent_id);
      if (!agent) return unknown_agent(agent.error(), agent_id, "agent");
      cut_off = agent_cut_off(*agent);
    }
    const ValidationContext validation =
        with_known_feeds(validation_context(cut_off, false), feeds_);
    CheckedDocument checked = check_document(found.document_json, validation);
    if (auto warning = unknown_endpoint_warning(cut_off)) checked.problems.push_back(*warning);
    PolicyPreview preview{.policy_id = id,
                          .version = wanted,
                          .agent_id = agent_id,
                          .nft = {},
                          .problems = std::move(checked.problems)};
    if (!has_errors(preview.problems)) {
      SENTINEL_ASSIGN(nft, compile_nft(checked.document, validation.feeds));
      preview.nft = std::move(nft);
    }
    return preview;
  }

  // ---- assignments ----

  Result<std::vector<Assignment>> assignments(std::int64_t id) override {
    auth::Autocommit connection(database_);
    SqlPolicyRepository policies(connection);
    SENTINEL_ASSIGN(policy, policies.find(id));
    if (!policy) return no_policy(id);
    return policies.assignments(id);
  }

  Result<std::vector<Assignment>> set_assignments(const auth::Principal& caller, std::int64_t id,
                                                  const std::vector<Assignment>& wanted,
                                                  const auth::ClientInfo& client) override {
    if (wanted.size() > kMaxAssignments) {
      return invalid_argument(fmt::format("a policy has at most {} assignments", kMaxAssignments),
                              "assignments");
    }
    std::set<std::pair<AssignmentTarget, std::string>> seen;
    std::vector<Assignment> rows;
    const std::int64_t now = clock_.now_ms();
    for (std::size_t i = 0; i < wanted.size(); ++i) {
      const Assignment& assignment = wanted[i];
      const std::string field = fmt::format("assignments[{}]", i);
      if (assignment.target == AssignmentTarget::kGroup) {
        if (assignment.value.empty()) {
          return invalid_argument(field + ".group: a group name is required", field + ".group");
        }
        SENTINEL_TRY(agents::check_group(assignment.value, field + ".group"));
      } else {
        Result<agents::AgentRecord> agent = registry_.get(assignment.value);
        if (!agent) return unknown_agent(agent.error(), assignment.value, field + ".agent_id");
      }
      if (assignment.priority < -kMaxPriority || assignment.priority > kMaxPriority) {
        return invalid_argument(fmt::format("{}.priority must be between {} and {}", field,
                                            -kMaxPriority, kMaxPriority),
                                field + ".priority");
      }
      if (!seen.emplace(assignment.target, assignment.value).second) {
        return invalid_argument(
            fmt::format("{}: {} \"{}\" is assigned twice", field,
                        assignment.target == AssignmentTarget::kGroup ? "group" : "agent",
                        assignment.value),
            field);
      }
      Assignment row = assignment;
      row.policy_id = id;
      row.created_ms = now;
      row.created_by = caller.username;
      rows.push_back(std::move(row));
    }
    std::vector<Assignment> stored;
    SENTINEL_TRY(database_.transact([&](store::Connection& connection) -> Status {
      SqlPolicyRepository policies(connection);
      SENTINEL_ASSIGN(policy, policies.find(id));
      if (!policy) return no_policy(id);
      SENTINEL_TRY(policies.replace_assignments(id, rows));
      SENTINEL_ASSIGN(now_stored, policies.assignments(id));
      stored = std::move(now_stored);
      return ok();
    }));
    boost::json::array details;
    for (const Assignment& assignment : stored) {
      details.push_back(boost::json::object{
          {assignment.target == AssignmentTarget::kGroup ? "group" : "agent_id", assignment.value},
          {"priority", assignment.priority}});
    }
    audit(caller, client, "firewall.assignments.set", id, {{"assignments", std::move(details)}});
    announce("assignments.set", id, std::nullopt);
    firewall_log().info("assignments set policy={} count={} by={}", id, stored.size(),
                        caller.username);
    return stored;
  }

  Result<std::optional<EffectivePolicy>> effective(const std::string& agent_id) override {
    SENTINEL_ASSIGN(agent, registry_.get(agent_id));
    auth::Autocommit connection(database_);
    return load_effective(connection, agent);
  }

  // ---- agents ----

  Result<std::vector<AgentFirewallStatus>> status(
      const std::optional<std::string>& agent_id) override {
    std::vector<AgentFirewallState> states;
    {
      auth::Autocommit connection(database_);
      SENTINEL_ASSIGN(rows, SqlAgentStateRepository(connection).list(agent_id));
      states = std::move(rows);
    }
    std::vector<AgentFirewallStatus> out;
    for (AgentFirewallState& state : states) {
      AgentFirewallStatus status{.state = std::move(state), .effective = {}, .in_sync = false};
      if (Result<agents::AgentRecord> agent = registry_.get(status.state.agent_id); agent) {
        auth::Autocommit connection(database_);
        SENTINEL_ASSIGN(effective, load_effective(connection, *agent));
        status.effective = std::move(effective);
      }
      status.in_sync = status.effective && in_sync(status.state, *status.effective);
      out.push_back(std::move(status));
    }
    return out;
  }

  Result<std::vector<AgentApplyResult>> apply(const auth::Principal& caller,
                                              const ApplyRequest& request,
                                              const auth::ClientInfo& client) override {
    if (request.policy_id) {
      auth::Autocommit connection(database_);
      SENTINEL_ASSIGN(policy, SqlPolicyRepository(connection).find(*request.policy_id));
      if (!policy) {
        return invalid_argument(fmt::format("no firewall policy {}", *request.policy_id),
                                "policy_id");
      }
    }
    SENTINEL_ASSIGN(targets, apply_targets(request));

    std::vector<std::future<AgentApplyResult>> pending;
    std::vector<AgentApplyResult> results(targets.size());
    for (std::size_t i = 0; i < targets.size(); ++i) {
      auto promise = std::make_shared<std::promise<AgentApplyResult>>();
      pending.push_back(promise->get_future());
      const std::string agent_id = targets[i];
      Status queued = workers_.submit([this, promise, agent_id, request](bool run) {
        if (!run) {
          promise->set_value(AgentApplyResult{.agent_id = agent_id,
                                              .outcome = ApplyOutcome::kFailed,
                                              .error = "the firewall service stopped"});
          return;
        }
        promise->set_value(push_.apply(agent_id, request.policy_id, request.force));
      });
      if (!queued) {
        promise->set_value(AgentApplyResult{.agent_id = agent_id,
                                            .outcome = ApplyOutcome::kFailed,
                                            .error = queued.error().message});
      }
    }
    std::map<std::string, std::int64_t> outcomes;
    // One deadline for the whole answer, so that a slow fleet cannot outlast the request.
    const auto deadline = std::chrono::steady_clock::now() + options_.apply_answer_deadline;
    for (std::size_t i = 0; i < pending.size(); ++i) {
      if (pending[i].wait_until(deadline) == std::future_status::ready) {
        results[i] = pending[i].get();
      } else {
        results[i] = AgentApplyResult{.agent_id = targets[i],
                                      .outcome = ApplyOutcome::kPending,
                                      .error = "still running; its state follows on the status"};
      }
      ++outcomes[std::string(to_string(results[i].outcome))];
    }
    boost::json::object counts;
    for (const auto& [outcome, count] : outcomes) counts[outcome] = count;
    boost::json::array agent_ids;
    for (const std::string& id : targets) agent_ids.emplace_back(id);
    auth::AuditRecord record{
        .actor = caller.username,
        .action = "firewall.apply",
        .target = request.policy_id ? policy_target(*request.policy_id) : "firewall_policy:*",
        .source_address = client.source_address,
        .outcome = "success",
        .details_json = boost::json::serialize(boost::json::object{
            {"agents", std::move(agent_ids)}, {"force", request.force}, {"outcomes", counts}})};
    record_audit(record);
    firewall_log().info("apply by={} agents={} force={} outcomes={}", caller.username,
                        targets.size(), request.force, boost::json::serialize(counts));
    return results;
  }

 private:
  Result<SavedPolicy> save_version(const auth::Principal& caller, std::int64_t id,
                                   const VersionToSave& save, std::string_view action,
                                   boost::json::object details, const auth::ClientInfo& client) {
    SENTINEL_TRY(check_text(save.comment, kMaxCommentLength, "comment"));
    CheckedDocument checked = check_document(save.document_json, {});
    if (!checked.ok()) return invalid_policy(checked.problems);
    SavedPolicy saved;
    Status stored = database_.transact([&](store::Connection& connection) -> Status {
      SqlPolicyRepository policies(connection);
      SENTINEL_ASSIGN(policy, policies.find(id));
      if (!policy) return no_policy(id);
      const std::int64_t head = policy->version;
      if (save.base_version && *save.base_version != head)
        return stale(*policy, *save.base_version);
      const std::int64_t now = clock_.now_ms();
      saved.policy = *policy;
      if (save.name) saved.policy.name = *save.name;
      if (save.description) saved.policy.description = *save.description;
      saved.policy.version = head + 1;
      saved.policy.updated_ms = now;
      saved.policy.updated_by = caller.username;
      SENTINEL_ASSIGN(advanced, policies.advance(saved.policy, head));
      if (!advanced) return stale(*policy, save.base_version.value_or(head));
      saved.version = PolicyVersion{.policy_id = id,
                                    .version = head + 1,
                                    .author = caller.username,
                                    .created_ms = now,
                                    .comment = save.comment,
                                    .document_json = checked.canonical_json,
                                    .sha256 = checked.sha256};
      return policies.insert_version(saved.version);
    });
    if (!stored) {
      Error error = std::move(stored).error();
      if (error.code == ErrorCode::kConflict && error.reason.empty()) {
        // The unique name: the only other constraint a save can break.
        return conflict(
            fmt::format("a firewall policy named \"{}\" exists", save.name.value_or(std::string())),
            "name");
      }
      return error;
    }
    saved.warnings = warnings_of(checked.problems);
    details["version"] = saved.version.version;
    details["sha256"] = saved.version.sha256;
    if (save.base_version) details["base_version"] = *save.base_version;
    audit(caller, client, std::string(action), id, details);
    announce(action.substr(action.find('.') + 1), id, saved.version.version);
    firewall_log().info("policy saved id={} version={} action={} by={}", id, saved.version.version,
                        action, caller.username);
    return saved;
  }

  static Error stale(const PolicySummary& policy, std::int64_t base) {
    return Error{ErrorCode::kConflict,
                 fmt::format("firewall policy \"{}\" is at version {}; this change is based on "
                             "version {}: reload it and apply the change again",
                             policy.name, policy.version, base),
                 "version_conflict", "base_version"};
  }

  static Error unknown_agent(const Error& error, const std::string& agent_id,
                             const std::string& field) {
    if (error.code != ErrorCode::kNotFound) return error;
    return invalid_argument(fmt::format("no agent \"{}\"", agent_id.substr(0, 64)), field);
  }

  CutOffContext agent_cut_off(const agents::AgentRecord& agent) const {
    return cut_off_context(options_.channel_listen, options_.public_channel_url,
                           agent.last_address);
  }

  // The agents an apply goes to: the named ones, or every unrevoked agent whose effective
  // policy exists (and is `policy_id` when given).
  Result<std::vector<std::string>> apply_targets(const ApplyRequest& request) {
    std::vector<std::string> targets;
    if (!request.agent_ids.empty()) {
      std::set<std::string> seen;
      for (std::size_t i = 0; i < request.agent_ids.size(); ++i) {
        const std::string& id = request.agent_ids[i];
        Result<agents::AgentRecord> agent = registry_.get(id);
        if (!agent) return unknown_agent(agent.error(), id, "agent_ids");
        if (seen.insert(id).second) targets.push_back(id);
      }
      return targets;
    }
    for (std::int64_t offset = 0;; offset += kAgentPage) {
      agents::AgentFilter filter;
      filter.limit = kAgentPage;
      filter.offset = offset;
      SENTINEL_ASSIGN(page, registry_.list(filter));
      for (const agents::AgentRecord& agent : page.items) {
        if (agent.status == agents::AgentStatus::kRevoked) continue;
        auth::Autocommit connection(database_);
        SENTINEL_ASSIGN(effective, load_effective(connection, agent));
        if (!effective) continue;
        if (request.policy_id && effective->policy.id != *request.policy_id) continue;
        targets.push_back(agent.id);
      }
      if (page.items.size() < static_cast<std::size_t>(kAgentPage)) break;
    }
    return targets;
  }

  // Bus thread: parse, then hand the work to the workers.
  void on_agent_message(const std::string& payload) {
    boost::system::error_code ec;
    const boost::json::value message = boost::json::parse(payload, ec);
    if (ec || !message.is_object()) return;
    const boost::json::value* action = message.get_object().if_contains("action");
    const boost::json::value* agent = message.get_object().if_contains("agent");
    if (action == nullptr || !action->is_string() || action->get_string() != "connected" ||
        agent == nullptr || !agent->is_object()) {
      return;
    }
    const boost::json::value* id = agent->get_object().if_contains("id");
    if (id == nullptr || !id->is_string()) return;
    const std::string agent_id(id->get_string());
    if (Status queued = workers_.submit([this, agent_id](bool run) {
          if (run) push_.sync(agent_id);
        });
        !queued) {
      firewall_log().warn("sync not queued agent={} error=\"{}\"", agent_id,
                          queued.error().message);
    }
  }

  void on_event_message(const std::string& payload) {
    FirewallEvent event = parse_firewall_event(payload);
    if (std::holds_alternative<std::monostate>(event)) return;
    if (Status queued = workers_.submit([this, event = std::move(event)](bool run) {
          if (!run) return;
          if (const auto* drift = std::get_if<DriftEvent>(&event)) push_.record(*drift);
          if (const auto* rollback = std::get_if<RollbackEvent>(&event)) push_.record(*rollback);
        });
        !queued) {
      firewall_log().warn("firewall event not queued error=\"{}\"", queued.error().message);
    }
  }

  void audit(const auth::Principal& caller, const auth::ClientInfo& client, std::string action,
             std::int64_t id, const boost::json::object& details) {
    record_audit(auth::AuditRecord{.actor = caller.username,
                                   .action = std::move(action),
                                   .target = policy_target(id),
                                   .source_address = client.source_address,
                                   .outcome = "success",
                                   .details_json = boost::json::serialize(details)});
  }

  // Tells sessions with firewall:read that a policy or its assignments changed (after the
  // change is stored), so that open pages refetch instead of polling: {"type":"firewall",
  // "action":"policy.create"|"policy.update"|"policy.rollback"|"policy.delete"|
  // "assignments.set","policy_id","version"}.
  void announce(std::string_view action, std::int64_t id, std::optional<std::int64_t> version) {
    const boost::json::object message{
        {"type", "firewall"},
        {"action", action},
        {"policy_id", id},
        {"version", version ? boost::json::value(*version) : boost::json::value(nullptr)}};
    if (Status published = bus_.publish("firewall", boost::json::serialize(message)); !published) {
      firewall_log().warn("policy change not published policy={} action={} error=\"{}\"", id,
                          action, published.error().message);
    }
  }

  void record_audit(const auth::AuditRecord& record) {
    if (auto recorded = audit_.record(record); !recorded) {
      firewall_log().error("audit of {} for {} failed: {}", record.action, record.target,
                           recorded.error().message);
    }
  }

  store::Database& database_;
  auth::AuditLog& audit_;
  bus::Bus& bus_;
  const Clock& clock_;
  agents::AgentRegistry& registry_;
  agents::AgentChannel& channel_;
  ActiveBlocks active_blocks_;
  KnownFeeds feeds_;
  PolicyServiceOptions options_;
  AgentPush push_;
  FirewallWorkers workers_;
  std::unique_ptr<bus::Subscription> agent_subscription_;
  std::unique_ptr<bus::Subscription> event_subscription_;
};

}  // namespace

Result<std::unique_ptr<PolicyService>> PolicyService::create(PolicyServiceDependencies dependencies,
                                                             PolicyServiceOptions options) {
  if (options.workers == 0) return invalid_argument("at least one worker", "workers");
  if (options.max_queued == 0) return invalid_argument("a queue of at least one", "max_queued");
  if (options.confirm_grace < std::chrono::seconds(5) ||
      options.confirm_grace > std::chrono::seconds(3600)) {
    return invalid_argument("the confirm grace period must be between 5 and 3600 seconds",
                            "firewall.confirm_grace_s");
  }
  return std::unique_ptr<PolicyService>(
      new PolicyServiceImpl(std::move(dependencies), std::move(options)));
}

}  // namespace sentinel::firewall
