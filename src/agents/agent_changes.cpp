// The registry's changes to who may connect and where agents belong: enrol, renew, revoke,
// delete, update. Each commits, then updates the allow-list, audits, publishes and notifies.

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "../auth/autocommit.h"
#include "agent_facts.h"
#include "agent_registry_impl.h"
#include "logger.h"
#include "placement.h"
#include "sql_agent_repository.h"

namespace sentinel::agents {
namespace {

// Renewals normally overlap by one or two certificates; more means a misbehaving agent.
constexpr std::int64_t kMaxLiveCertificates = 8;

std::string json_quoted(std::string_view text) {
  return boost::json::serialize(boost::json::string(text));
}

}  // namespace

Result<EnrolledAgent> AgentRegistryImpl::enroll(const AgentFacts& facts, std::string_view csr_pem,
                                                const RedeemCredential& redeem) {
  SENTINEL_TRY(check_facts(facts));
  EnrolledAgent enrolled;
  AgentRecord& agent = enrolled.agent;
  agent.id = new_agent_id();
  agent.facts = facts;
  agent.enrolled_at_ms = clock_.now_ms();
  std::lock_guard membership(membership_mutex_);
  SENTINEL_TRY(db_.transact([&](store::Connection& connection) -> Status {
    SENTINEL_ASSIGN(placement, redeem(connection, agent.id));
    agent.group = std::move(placement.group);
    agent.labels = std::move(placement.labels);
    SENTINEL_ASSIGN(certificate,
                    ca_.sign_agent_csr(csr_pem, agent.id, options_.certificate_lifetime));
    SqlAgentRepository agents(connection);
    SENTINEL_TRY(agents.insert(agent));
    SENTINEL_TRY(agents.insert_certificate(agent.id, certificate, agent.enrolled_at_ms));
    enrolled.certificate = std::move(certificate);
    return ok();
  }));
  allowed_.add(agent.id, enrolled.certificate.serial_hex, enrolled.certificate.not_after_ms);
  agent.certificate =
      CertificateSummary{enrolled.certificate.serial_hex, enrolled.certificate.not_after_ms};
  agent = current(std::move(agent));
  agents_log().info("agent enrolled agent={} hostname={}", agent.id, agent.facts.hostname);
  publish("enrolled", agent);
  return enrolled;
}

Result<IssuedCertificate> AgentRegistryImpl::renew_certificate(std::string_view agent_id,
                                                               std::string_view csr_pem) {
  IssuedCertificate issued;
  std::lock_guard membership(membership_mutex_);
  SENTINEL_TRY(db_.transact([&](store::Connection& connection) -> Status {
    SqlAgentRepository agents(connection);
    SENTINEL_ASSIGN(found, agents.find(agent_id));
    if (!found) return not_found("No such agent.");
    if (found->revoked_at_ms) return permission_denied("The agent is revoked.");
    const std::int64_t now = clock_.now_ms();
    SENTINEL_ASSIGN(live, agents.count_live_certificates(agent_id, now));
    if (live >= kMaxLiveCertificates) {
      return rate_limited(fmt::format("The agent already holds {} unexpired certificates.", live));
    }
    SENTINEL_ASSIGN(certificate,
                    ca_.sign_agent_csr(csr_pem, agent_id, options_.certificate_lifetime));
    SENTINEL_TRY(agents.insert_certificate(agent_id, certificate, now));
    issued = std::move(certificate);
    return ok();
  }));
  allowed_.add(agent_id, issued.serial_hex, issued.not_after_ms);
  const std::string details = fmt::format(R"({{"serial":{},"not_after":{}}})",
                                          json_quoted(issued.serial_hex), issued.not_after_ms);
  audit("agent:" + std::string(agent_id), "agent.certificate.renew", agent_id, {}, details);
  if (auto agent = get(agent_id)) publish("updated", *agent);
  return issued;
}

Status AgentRegistryImpl::revoke(const auth::Principal& caller, std::string_view id,
                                 const auth::ClientInfo& client) {
  bool revoked = false;
  {
    std::lock_guard membership(membership_mutex_);
    SENTINEL_TRY(db_.transact([&](store::Connection& connection) -> Status {
      SqlAgentRepository agents(connection);
      SENTINEL_ASSIGN(changed, agents.revoke(id, clock_.now_ms()));
      if (changed) {
        revoked = true;
        return ok();
      }
      SENTINEL_ASSIGN(found, agents.find(id));
      return found ? ok() : Status(not_found("No such agent."));  // already revoked: a no-op
    }));
    if (revoked) allowed_.remove_agent(id);
  }
  if (!revoked) return ok();
  agents_log().info("agent revoked agent={} by={}", id, caller.username);
  audit(caller.username, "agent.revoke", id, client);
  if (auto agent = get(id)) publish("revoked", *agent);
  notify_revoked(std::string(id));
  return ok();
}

Status AgentRegistryImpl::remove(const auth::Principal& caller, std::string_view id,
                                 const auth::ClientInfo& client) {
  AgentRecord removed;
  {
    std::lock_guard membership(membership_mutex_);
    SENTINEL_TRY(db_.transact([&](store::Connection& connection) -> Status {
      SENTINEL_ASSIGN(agent, load_agent(connection, id));
      SENTINEL_ASSIGN(deleted, SqlAgentRepository(connection).remove(id));
      if (!deleted) return not_found("No such agent.");
      removed = std::move(agent);
      return ok();
    }));
    allowed_.remove_agent(id);
  }
  {
    std::lock_guard lock(seen_mutex_);
    if (const auto it = unflushed_seen_.find(id); it != unflushed_seen_.end()) {
      unflushed_seen_.erase(it);
    }
  }
  agents_log().info("agent deleted agent={} by={}", id, caller.username);
  audit(caller.username, "agent.delete", id, client,
        fmt::format(R"({{"hostname":{}}})", json_quoted(removed.facts.hostname)));
  publish("deleted", removed);
  notify_revoked(std::string(id));
  return ok();
}

Result<AgentRecord> AgentRegistryImpl::update(const auth::Principal& caller, std::string_view id,
                                              const AgentUpdate& update,
                                              const auth::ClientInfo& client) {
  if (update.group) SENTINEL_TRY(check_group(*update.group));
  SENTINEL_TRY(check_labels(update.set_labels));
  for (const std::string& key : update.remove_labels) {
    SENTINEL_TRY(check_label_key(key));
    if (update.set_labels.count(key) != 0) {
      return invalid_argument(fmt::format("label '{}' is both set and removed", key), "labels");
    }
  }
  SENTINEL_TRY(db_.transact([&](store::Connection& connection) -> Status {
    SqlAgentRepository agents(connection);
    SENTINEL_ASSIGN(found, agents.find(id));
    if (!found) return not_found("No such agent.");
    AgentLabels labels = std::move(found->labels);
    for (const auto& [key, value] : update.set_labels) labels[key] = value;
    for (const std::string& key : update.remove_labels) {
      if (const auto it = labels.find(key); it != labels.end()) labels.erase(it);
    }
    if (labels.size() > kMaxLabels) {
      return invalid_argument(fmt::format("an agent has at most {} labels", kMaxLabels), "labels");
    }
    SENTINEL_TRY(agents.set_placement(id, update.group.value_or(found->group), labels));
    return ok();
  }));
  SENTINEL_ASSIGN(agent, get(id));
  boost::json::array removed;
  for (const std::string& key : update.remove_labels) removed.emplace_back(key);
  boost::json::object details{{"set_labels", labels_json(update.set_labels)},
                              {"removed_labels", std::move(removed)}};
  if (update.group) details["group"] = *update.group;
  audit(caller.username, "agent.update", id, client, boost::json::serialize(details));
  publish("updated", agent);
  return agent;
}

}  // namespace sentinel::agents
