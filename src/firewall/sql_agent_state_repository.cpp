#include "sql_agent_state_repository.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace sentinel::firewall {
namespace {

constexpr std::string_view kSelectState =
    "SELECT agent_id, policy_id, version, document_hash, listing_hash, sets, applied_at, "
    "confirmed, confirmed_at, confirmed_policy_id, confirmed_version, confirmed_document_hash, "
    "last_error, last_error_at, drift_count, last_drift_at, last_drift_kind, rolled_back_at, "
    "rolled_back_version, restored_version, updated_at FROM firewall_agent_state";

std::string sets_text(const std::map<std::string, std::int64_t>& sets) {
  boost::json::object object;
  for (const auto& [name, count] : sets) object[name] = count;
  return boost::json::serialize(object);
}

std::map<std::string, std::int64_t> sets_of(const std::string& text) {
  std::map<std::string, std::int64_t> sets;
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) return sets;
  for (const auto& [name, count] : value.get_object()) {
    if (count.is_int64()) sets[std::string(name)] = count.get_int64();
  }
  return sets;
}

store::Value optional_value(const std::optional<std::int64_t>& value) {
  return value ? store::Value(*value) : store::Value(nullptr);
}

AgentFirewallState state_of(const store::Row& row) {
  AgentFirewallState state;
  state.agent_id = row.text(0);
  state.policy_id = row.optional_integer(1);
  state.version = row.optional_integer(2);
  state.document_hash = row.text(3);
  state.listing_hash = row.text(4);
  state.sets = sets_of(row.text(5));
  state.applied_ms = row.optional_integer(6);
  state.confirmed = row.integer(7) != 0;
  state.confirmed_ms = row.optional_integer(8);
  state.confirmed_policy_id = row.optional_integer(9);
  state.confirmed_version = row.optional_integer(10);
  state.confirmed_document_hash = row.text(11);
  state.last_error = row.text(12);
  state.last_error_ms = row.optional_integer(13);
  state.drift_count = row.integer(14);
  state.last_drift_ms = row.optional_integer(15);
  state.last_drift_kind = row.text(16);
  state.rolled_back_ms = row.optional_integer(17);
  state.rolled_back_version = row.optional_integer(18);
  state.restored_version = row.optional_integer(19);
  state.updated_ms = row.integer(20);
  return state;
}

}  // namespace

Result<std::optional<AgentFirewallState>> SqlAgentStateRepository::find(std::string_view agent_id) {
  SENTINEL_ASSIGN(rows, connection_.query(std::string(kSelectState) + " WHERE agent_id = $1",
                                          {std::string(agent_id)}));
  if (rows.empty()) return std::optional<AgentFirewallState>();
  return std::optional<AgentFirewallState>(state_of(rows.front()));
}

Result<std::vector<AgentFirewallState>> SqlAgentStateRepository::list(
    const std::optional<std::string>& agent_id) {
  SENTINEL_ASSIGN(
      rows, agent_id
                ? connection_.query(std::string(kSelectState) + " WHERE agent_id = $1", {*agent_id})
                : connection_.query(std::string(kSelectState) + " ORDER BY agent_id"));
  std::vector<AgentFirewallState> out;
  for (const store::Row& row : rows) out.push_back(state_of(row));
  return out;
}

Status SqlAgentStateRepository::ensure_row(std::string_view agent_id, std::int64_t now_ms) {
  SENTINEL_TRY(
      connection_.execute("INSERT INTO firewall_agent_state (agent_id, updated_at) VALUES ($1, $2) "
                          "ON CONFLICT (agent_id) DO NOTHING",
                          {std::string(agent_id), now_ms}));
  return ok();
}

Status SqlAgentStateRepository::record_applied(std::string_view agent_id,
                                               const AppliedRelease& release, std::int64_t now_ms) {
  SENTINEL_TRY(ensure_row(agent_id, now_ms));
  SENTINEL_TRY(connection_.execute(
      "UPDATE firewall_agent_state SET policy_id = $2, version = $3, document_hash = $4, "
      "listing_hash = $5, sets = $6, applied_at = $7, confirmed = 0, confirmed_at = NULL, "
      "last_error = NULL, last_error_at = NULL, updated_at = $7 WHERE agent_id = $1",
      {std::string(agent_id), release.policy_id, release.version, release.document_hash,
       release.listing_hash, sets_text(release.sets), now_ms}));
  return ok();
}

Result<bool> SqlAgentStateRepository::record_confirmed(std::string_view agent_id,
                                                       std::int64_t version, std::int64_t now_ms) {
  SENTINEL_ASSIGN(changed, connection_.execute(
                               "UPDATE firewall_agent_state SET confirmed = 1, confirmed_at = $3, "
                               "confirmed_policy_id = policy_id, confirmed_version = version, "
                               "confirmed_document_hash = document_hash, updated_at = $3 "
                               "WHERE agent_id = $1 AND version = $2",
                               {std::string(agent_id), version, now_ms}));
  return changed == 1;
}

Status SqlAgentStateRepository::record_error(std::string_view agent_id, std::string_view message,
                                             std::int64_t now_ms) {
  SENTINEL_TRY(ensure_row(agent_id, now_ms));
  SENTINEL_TRY(connection_.execute(
      "UPDATE firewall_agent_state SET last_error = $2, last_error_at = $3, updated_at = $3 "
      "WHERE agent_id = $1",
      {std::string(agent_id), std::string(message.substr(0, 1024)), now_ms}));
  return ok();
}

Status SqlAgentStateRepository::record_drift(std::string_view agent_id, std::string_view kind,
                                             std::int64_t at_ms, std::int64_t now_ms) {
  SENTINEL_TRY(ensure_row(agent_id, now_ms));
  SENTINEL_TRY(connection_.execute(
      "UPDATE firewall_agent_state SET drift_count = drift_count + 1, last_drift_at = $2, "
      "last_drift_kind = $3, updated_at = $4 WHERE agent_id = $1",
      {std::string(agent_id), at_ms, std::string(kind), now_ms}));
  return ok();
}

Status SqlAgentStateRepository::record_rollback(std::string_view agent_id,
                                                std::optional<std::int64_t> abandoned,
                                                std::optional<std::int64_t> restored,
                                                std::int64_t at_ms, std::int64_t now_ms) {
  SENTINEL_TRY(ensure_row(agent_id, now_ms));
  SENTINEL_ASSIGN(found, find(agent_id));
  if (!found) return internal_error("firewall_agent_state row vanished");
  // What the agent went back to is the confirmed release when the numbers agree; otherwise the
  // server no longer knows its policy and hash.
  const bool known = restored && found->confirmed_version == restored;
  const std::optional<std::int64_t> policy_id =
      known ? found->confirmed_policy_id : std::optional<std::int64_t>();
  const std::string hash = known ? found->confirmed_document_hash : std::string();
  SENTINEL_TRY(connection_.execute(
      "UPDATE firewall_agent_state SET rolled_back_at = $2, rolled_back_version = $3, "
      "restored_version = $4, policy_id = $5, version = $4, document_hash = $6, "
      "confirmed_policy_id = $5, confirmed_version = $4, confirmed_document_hash = $6, "
      "confirmed = $7, listing_hash = NULL, updated_at = $8 WHERE agent_id = $1",
      {std::string(agent_id), at_ms, optional_value(abandoned), optional_value(restored),
       optional_value(policy_id), hash.empty() ? store::Value(nullptr) : store::Value(hash),
       std::int64_t{restored ? 1 : 0}, now_ms}));
  return ok();
}

}  // namespace sentinel::firewall
