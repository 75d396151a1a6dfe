#include "agent_push.h"

#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <set>

#include "../auth/autocommit.h"
#include "channel_endpoint.h"
#include "effective_policy.h"
#include "feed_context.h"
#include "firewall_commands.h"
#include "firewall_json.h"
#include "logger.h"
#include "policy_check.h"
#include "sentinel/firewall/nft_compiler.h"
#include "sentinel/protocol/agent_protocol.h"
#include "sql_agent_state_repository.h"

namespace sentinel::firewall {
namespace {

// Room for the frame around a command's arguments: a larger frame would close the agent's
// connection, so a ruleset that does not fit is refused here instead (large feeds).
constexpr std::size_t kFrameEnvelopeBytes = 64 << 10;

// The error a command ended with: the channel's (not connected, timeout) or the agent's.
std::string command_error(std::string_view command, const Error& error) {
  return fmt::format("{}: {}", command, error.message);
}

}  // namespace

AgentApplyResult AgentPush::apply(const std::string& agent_id,
                                  std::optional<std::int64_t> only_policy, bool force) {
  std::lock_guard lock(agent_mutex(agent_id));
  Result<agents::AgentRecord> agent = context_.registry.get(agent_id);
  if (!agent) {
    return AgentApplyResult{
        .agent_id = agent_id, .outcome = ApplyOutcome::kFailed, .error = agent.error().message};
  }
  return apply_locked(*agent, only_policy, force);
}

AgentApplyResult AgentPush::apply_locked(const agents::AgentRecord& agent,
                                         std::optional<std::int64_t> only_policy, bool force) {
  AgentApplyResult result{.agent_id = agent.id};
  const auto fail = [&](ApplyOutcome outcome, std::string message) {
    result.outcome = outcome;
    result.error = std::move(message);
    record_error(agent.id, result.error);
    firewall_log().warn("apply failed agent={} policy={} version={} error=\"{}\"", agent.id,
                        result.policy_id.value_or(0), result.version.value_or(0), result.error);
    publish(agent.id, "apply_failed");
    return result;
  };

  std::optional<EffectivePolicy> effective;
  {
    auth::Autocommit connection(context_.database);
    Result<std::optional<EffectivePolicy>> loaded = load_effective(connection, agent);
    if (!loaded) return fail(ApplyOutcome::kFailed, loaded.error().message);
    effective = std::move(*loaded);
  }
  if (!effective) {
    result.outcome = ApplyOutcome::kNoPolicy;
    result.error = "no policy is assigned to this agent or its group";
    return result;
  }
  if (only_policy && effective->policy.id != *only_policy) {
    result.outcome = ApplyOutcome::kNoPolicy;
    result.error = fmt::format("its effective policy is \"{}\" (id {})", effective->policy.name,
                               effective->policy.id);
    return result;
  }
  result.policy_id = effective->policy.id;
  result.version = effective->version.version;
  if (!agent.connected) {
    result.outcome = ApplyOutcome::kOffline;
    result.error = "not connected; it gets the policy when it connects";
    return result;
  }

  const CutOffContext cut_off = cut_off_context(
      context_.options.channel_listen, context_.options.public_channel_url, agent.last_address);
  const ValidationContext validation =
      with_known_feeds(validation_context(cut_off, force), context_.feeds);
  CheckedDocument checked = check_document(effective->version.document_json, validation);
  if (auto warning = unknown_endpoint_warning(cut_off)) checked.problems.push_back(*warning);
  if (!checked.ok()) {
    result.problems = checked.problems;
    return fail(ApplyOutcome::kRefused, "refused: " + invalid_policy(checked.problems).message);
  }
  Result<std::string> nft = compile_nft(checked.document, validation.feeds);
  if (!nft) return fail(ApplyOutcome::kFailed, "compile: " + nft.error().message);

  ApplyCommand command{.policy_id = effective->policy.id,
                       .version = effective->version.version,
                       .document_hash = effective->version.sha256,
                       .nft = std::move(*nft),
                       .grace_s = context_.options.confirm_grace.count(),
                       .blocks = {}};
  if (context_.active_blocks) command.blocks = context_.active_blocks(agent.id);
  boost::json::object args = apply_args(command);
  if (const std::size_t bytes = boost::json::serialize(args).size();
      bytes + kFrameEnvelopeBytes > protocol::kMaxFrameBytes) {
    return fail(ApplyOutcome::kFailed,
                fmt::format("compile: the command is {} bytes; one channel frame takes {} (are "
                            "the policy's feeds too large?)",
                            bytes, protocol::kMaxFrameBytes - kFrameEnvelopeBytes));
  }
  Result<protocol::CommandResult> answer = context_.channel.run_command(
      agent.id, std::string(kApplyCommand), std::move(args), context_.options.apply_timeout);
  if (!answer) {
    if (answer.error().code == ErrorCode::kNotFound) {
      result.outcome = ApplyOutcome::kOffline;
      result.error = "not connected to this server";
      return result;
    }
    return fail(ApplyOutcome::kFailed, command_error(kApplyCommand, answer.error()));
  }
  if (!answer->ok) {
    return fail(ApplyOutcome::kFailed, fmt::format("{}: {}", kApplyCommand, answer->error));
  }
  Result<ApplyReport> report = parse_apply_result(answer->result);
  if (!report) return fail(ApplyOutcome::kFailed, report.error().message);
  if (report->version != command.version || report->document_hash != command.document_hash) {
    // Not what was sent: no confirm, so the agent rolls back by itself after the grace period.
    return fail(ApplyOutcome::kFailed,
                fmt::format("{}: the agent reports version {} ({}), not version {} ({})",
                            kApplyCommand, report->version, report->document_hash.substr(0, 16),
                            command.version, command.document_hash.substr(0, 16)));
  }
  {
    auth::Autocommit connection(context_.database);
    Status stored = SqlAgentStateRepository(connection)
                        .record_applied(agent.id,
                                        AppliedRelease{.policy_id = command.policy_id,
                                                       .version = command.version,
                                                       .document_hash = command.document_hash,
                                                       .listing_hash = report->listing_hash,
                                                       .sets = report->sets},
                                        context_.clock.now_ms());
    if (!stored) {
      firewall_log().error("apply not stored agent={} error=\"{}\"", agent.id,
                           stored.error().message);
    }
  }
  firewall_log().info("policy applied agent={} policy={} version={} listing={}", agent.id,
                      command.policy_id, command.version, report->listing_hash.substr(0, 16));
  warn_left_out(agent.id, kApplyCommand, report->left_out);
  publish(agent.id, "applied");

  if (std::string error = confirm(agent.id, command.version); !error.empty()) {
    result.outcome = ApplyOutcome::kUnconfirmed;
    result.error = std::move(error);
    return result;
  }
  result.outcome = ApplyOutcome::kConfirmed;
  return result;
}

std::string AgentPush::confirm(const std::string& agent_id, std::int64_t version) {
  Result<protocol::CommandResult> answer =
      context_.channel.run_command(agent_id, std::string(kConfirmCommand), confirm_args(version),
                                   context_.options.confirm_timeout);
  std::string error;
  if (!answer) {
    error = command_error(kConfirmCommand, answer.error());
  } else if (!answer->ok) {
    error = fmt::format("{}: {}", kConfirmCommand, answer->error);
  } else if (Result<std::int64_t> confirmed = parse_confirm_result(answer->result); !confirmed) {
    error = confirmed.error().message;
  } else if (*confirmed != version) {
    error = fmt::format("{}: the agent confirmed version {}, not {}", kConfirmCommand, *confirmed,
                        version);
  }
  if (!error.empty()) {
    error += fmt::format("; the agent rolls back unless it is confirmed within {} s",
                         context_.options.confirm_grace.count());
    record_error(agent_id, error);
    firewall_log().warn("confirm failed agent={} version={} error=\"{}\"", agent_id, version,
                        error);
    publish(agent_id, "confirm_failed");
    return error;
  }
  auth::Autocommit connection(context_.database);
  Result<bool> stored = SqlAgentStateRepository(connection)
                            .record_confirmed(agent_id, version, context_.clock.now_ms());
  if (!stored) {
    firewall_log().error("confirm not stored agent={} error=\"{}\"", agent_id,
                         stored.error().message);
  }
  firewall_log().info("policy confirmed agent={} version={}", agent_id, version);
  publish(agent_id, "confirmed");
  return {};
}

void AgentPush::sync(const std::string& agent_id) {
  std::lock_guard lock(agent_mutex(agent_id));
  Result<agents::AgentRecord> agent = context_.registry.get(agent_id);
  if (!agent || !agent->connected) return;
  Result<protocol::CommandResult> answer = context_.channel.run_command(
      agent_id, std::string(kStatusCommand), {}, context_.options.status_timeout);
  if (!answer) {
    // kNotFound: the agent is connected to another server process, which synchronises it.
    if (answer.error().code != ErrorCode::kNotFound) {
      record_error(agent_id, command_error(kStatusCommand, answer.error()));
      publish(agent_id, "sync_failed");
    }
    return;
  }
  if (!answer->ok) {
    record_error(agent_id, fmt::format("{}: {}", kStatusCommand, answer->error));
    publish(agent_id, "sync_failed");
    return;
  }
  Result<AgentFirewallReport> report = parse_status_result(answer->result);
  if (!report) {
    record_error(agent_id, report.error().message);
    publish(agent_id, "sync_failed");
    return;
  }

  std::optional<EffectivePolicy> effective;
  std::optional<AgentFirewallState> state;
  {
    auth::Autocommit connection(context_.database);
    Result<std::optional<EffectivePolicy>> loaded = load_effective(connection, *agent);
    Result<std::optional<AgentFirewallState>> found =
        SqlAgentStateRepository(connection).find(agent_id);
    if (!loaded || !found) {
      firewall_log().error("sync agent={}: {}", agent_id,
                           !loaded ? loaded.error().message : found.error().message);
      return;
    }
    effective = std::move(*loaded);
    state = std::move(*found);
  }

  if (effective) {
    const std::int64_t policy_id = effective->policy.id;
    const std::int64_t version = effective->version.version;
    const bool applied_here = state && state->policy_id == policy_id && state->version == version &&
                              state->document_hash == effective->version.sha256;
    if (report->pending_version == version && applied_here && !state->confirmed) {
      // Applied before the connection dropped; reaching us again is the proof it works.
      confirm(agent_id, version);
    } else if (report->confirmed_version != version || !state || !in_sync(*state, *effective) ||
               report->listing_hash.empty()) {
      const bool abandoned = applied_here && !state->confirmed && !report->pending_version &&
                             report->confirmed_version != version;
      if (!abandoned) {
        firewall_log().info("agent={} confirmed={} effective={}:{}: applying", agent_id,
                            report->confirmed_version.value_or(0), policy_id, version);
        apply_locked(*agent, std::nullopt, false);
        return;
      }
      // The agent rolled this version back (no confirm reached it in time). Applying it again
      // by itself could cut the agent off again: it waits for a new version or an explicit
      // apply.
      if (state->rolled_back_version != version) {
        auth::Autocommit connection(context_.database);
        (void)SqlAgentStateRepository(connection)
            .record_rollback(agent_id, version, report->confirmed_version, context_.clock.now_ms(),
                             context_.clock.now_ms());
        publish(agent_id, "rolled_back");
      }
      firewall_log().warn("agent={} rolled back policy={} version={}; not re-applied", agent_id,
                          policy_id, version);
    }
  }
  if (!report->listing_hash.empty()) {
    std::vector<std::string> held;
    for (const HeldBlock& block : report->blocks) held.push_back(block.address);
    resend_blocks(agent_id, held);
  }
}

void AgentPush::resend_blocks(const std::string& agent_id, const std::vector<std::string>& held) {
  if (!context_.active_blocks) return;
  const std::set<std::string> have(held.begin(), held.end());
  // One command per remaining duration: `firewall_block` carries one duration.
  std::map<std::int64_t, std::vector<std::string>> missing;
  for (BlockToSend& block : context_.active_blocks(agent_id)) {
    if (block.remaining_s > 0 && !have.contains(block.address)) {
      missing[block.remaining_s].push_back(std::move(block.address));
    }
  }
  for (const auto& [duration_s, addresses] : missing) {
    Result<protocol::CommandResult> answer = context_.channel.run_command(
        agent_id, std::string(kBlockCommand), block_args(addresses, duration_s),
        context_.options.status_timeout);
    if (!answer || !answer->ok) {
      firewall_log().warn("blocks not re-sent agent={} count={} error=\"{}\"", agent_id,
                          addresses.size(), !answer ? answer.error().message : answer->error);
      continue;
    }
    if (auto left_out = parse_left_out(answer->result, kBlockCommand); left_out) {
      warn_left_out(agent_id, kBlockCommand, *left_out);
    } else {
      firewall_log().warn("blocks re-sent agent={}: {}", agent_id, left_out.error().message);
    }
  }
}

void AgentPush::record(const DriftEvent& event) {
  {
    auth::Autocommit connection(context_.database);
    Status stored = SqlAgentStateRepository(connection)
                        .record_drift(event.agent_id, event.kind,
                                      event.time_ms > 0 ? event.time_ms : context_.clock.now_ms(),
                                      context_.clock.now_ms());
    if (!stored) {
      // An agent deleted meanwhile has no row to point at.
      firewall_log().warn("drift not recorded agent={} error=\"{}\"", event.agent_id,
                          stored.error().message);
      return;
    }
  }
  firewall_log().warn("drift repaired agent={} kind={} version={}", event.agent_id, event.kind,
                      event.version.value_or(0));
  publish(event.agent_id, "drift");
}

void AgentPush::record(const RollbackEvent& event) {
  std::lock_guard lock(agent_mutex(event.agent_id));
  {
    auth::Autocommit connection(context_.database);
    Status stored =
        SqlAgentStateRepository(connection)
            .record_rollback(event.agent_id, event.abandoned_version, event.restored_version,
                             event.time_ms > 0 ? event.time_ms : context_.clock.now_ms(),
                             context_.clock.now_ms());
    if (!stored) {
      firewall_log().warn("rollback not recorded agent={} error=\"{}\"", event.agent_id,
                          stored.error().message);
      return;
    }
  }
  firewall_log().warn("agent rolled back agent={} abandoned={} restored={}", event.agent_id,
                      event.abandoned_version.value_or(0), event.restored_version.value_or(0));
  publish(event.agent_id, "rolled_back");
}

void AgentPush::record_error(const std::string& agent_id, const std::string& message) {
  auth::Autocommit connection(context_.database);
  if (Status stored = SqlAgentStateRepository(connection)
                          .record_error(agent_id, message, context_.clock.now_ms());
      !stored) {
    firewall_log().error("error not recorded agent={} error=\"{}\"", agent_id,
                         stored.error().message);
  }
}

void AgentPush::publish(const std::string& agent_id, std::string_view action) {
  auth::Autocommit connection(context_.database);
  Result<std::optional<AgentFirewallState>> state =
      SqlAgentStateRepository(connection).find(agent_id);
  if (!state || !*state) return;
  if (Status published = context_.bus.publish("firewall", state_message(action, **state));
      !published) {
    firewall_log().warn("state not published agent={} action={} error=\"{}\"", agent_id, action,
                        published.error().message);
  }
}

std::mutex& AgentPush::agent_mutex(const std::string& agent_id) {
  std::lock_guard lock(mutexes_mutex_);
  std::unique_ptr<std::mutex>& slot = agent_mutexes_[agent_id];
  if (!slot) slot = std::make_unique<std::mutex>();
  return *slot;
}

}  // namespace sentinel::firewall
