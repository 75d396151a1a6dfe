// The registry's construction, lifecycle, reads and liveness (connected, disconnected, touch).

#include "agent_registry_impl.h"

#include <boost/json/serialize.hpp>

#include "../auth/autocommit.h"
#include "agent_facts.h"
#include "agent_json.h"
#include "agent_status.h"
#include "logger.h"
#include "sentinel/common/crypto.h"
#include "sql_agent_repository.h"

namespace sentinel::agents {
namespace {

constexpr std::int64_t kMaxListLimit = 1000;
constexpr std::size_t kAgentIdRandomBytes = 16;

}  // namespace

std::string new_agent_id() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  const std::string bytes = crypto::random_bytes(kAgentIdRandomBytes);
  std::string out = "agt_";
  unsigned buffer = 0;
  int bits = 0;
  for (const unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 0x1f];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 0x1f];
  return out;
}

Result<std::unique_ptr<AgentRegistry>> AgentRegistry::create(store::Database& db,
                                                             auth::AuditLog& audit, bus::Bus& bus,
                                                             const CertificateAuthority& ca,
                                                             const Clock& clock,
                                                             RegistryOptions options) {
  if (options.offline_after_ms <= 0 || options.certificate_lifetime.count() <= 0 ||
      options.flush_interval.count() <= 0) {
    return invalid_argument(
        "registry: offline_after, certificate lifetime and flush interval "
        "must be positive");
  }
  auto registry = std::make_unique<AgentRegistryImpl>(db, audit, bus, ca, clock, options);
  SENTINEL_TRY(registry->load());
  return std::unique_ptr<AgentRegistry>(std::move(registry));
}

AgentRegistryImpl::AgentRegistryImpl(store::Database& db, auth::AuditLog& audit, bus::Bus& bus,
                                     const CertificateAuthority& ca, const Clock& clock,
                                     RegistryOptions options)
    : db_(db), audit_(audit), bus_(bus), ca_(ca), clock_(clock), options_(options) {}

AgentRegistryImpl::~AgentRegistryImpl() { stop(); }

Status AgentRegistryImpl::load() {
  auth::Autocommit connection(db_);
  SENTINEL_ASSIGN(live, SqlAgentRepository(connection).live_certificates(clock_.now_ms()));
  allowed_.replace(live);
  agents_log().info("registry loaded certificates={}", live.size());
  return ok();
}

Status AgentRegistryImpl::start() {
  std::lock_guard lock(flusher_mutex_);
  if (flusher_.joinable()) return ok();
  stopping_ = false;
  flusher_ = std::thread([this] { run_flusher(); });
  return ok();
}

void AgentRegistryImpl::stop() {
  {
    std::lock_guard lock(flusher_mutex_);
    stopping_ = true;
  }
  flusher_wake_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  flush_last_seen();
}

void AgentRegistryImpl::run_flusher() {
  std::unique_lock lock(flusher_mutex_);
  while (!stopping_) {
    flusher_wake_.wait_for(lock, options_.flush_interval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    flush_last_seen();
    allowed_.prune(clock_.now_ms());
    lock.lock();
  }
}

void AgentRegistryImpl::flush_last_seen() {
  std::map<std::string, std::int64_t, std::less<>> batch;
  {
    std::lock_guard lock(seen_mutex_);
    batch.swap(unflushed_seen_);
  }
  if (batch.empty()) return;
  const Status written = db_.transact([&batch](store::Connection& connection) -> Status {
    SqlAgentRepository agents(connection);
    for (const auto& [id, seen_ms] : batch) SENTINEL_TRY(agents.advance_last_seen(id, seen_ms));
    return ok();
  });
  if (written) return;
  agents_log().warn("last_seen flush failed agents={} error=\"{}\"", batch.size(),
                    written.error().message);
  std::lock_guard lock(seen_mutex_);
  for (const auto& [id, seen_ms] : batch) {
    auto [it, inserted] = unflushed_seen_.emplace(id, seen_ms);
    if (!inserted) it->second = std::max(it->second, seen_ms);
  }
}

bool AgentRegistryImpl::certificate_allowed(std::string_view agent_id,
                                            std::string_view serial_hex) const {
  return allowed_.allowed(agent_id, serial_hex, clock_.now_ms());
}

void AgentRegistryImpl::touch(std::string_view agent_id) {
  const std::int64_t now = clock_.now_ms();
  std::lock_guard lock(seen_mutex_);
  auto it = unflushed_seen_.find(agent_id);
  if (it == unflushed_seen_.end()) {
    unflushed_seen_.emplace(std::string(agent_id), now);
  } else {
    it->second = std::max(it->second, now);
  }
}

Status AgentRegistryImpl::record_connected(std::string_view agent_id, const AgentFacts& facts,
                                           std::string_view remote_address) {
  SENTINEL_TRY(check_facts(facts));
  auth::Autocommit connection(db_);
  SqlAgentRepository agents(connection);
  SENTINEL_ASSIGN(marked, agents.mark_connected(agent_id, facts, remote_address.substr(0, 255),
                                                clock_.now_ms()));
  SENTINEL_ASSIGN(agent, load_agent(connection, agent_id));
  if (!marked) return permission_denied("The agent is revoked.");
  agents_log().info("agent connected agent={} address={}", agent.id, agent.last_address);
  publish("connected", agent);
  return ok();
}

Status AgentRegistryImpl::record_disconnected(std::string_view agent_id) {
  auth::Autocommit connection(db_);
  SENTINEL_ASSIGN(marked,
                  SqlAgentRepository(connection).mark_disconnected(agent_id, clock_.now_ms()));
  if (!marked) return not_found("No such agent.");
  SENTINEL_ASSIGN(agent, load_agent(connection, agent_id));
  agents_log().info("agent disconnected agent={}", agent.id);
  publish("disconnected", agent);
  return ok();
}

void AgentRegistryImpl::on_revoked(std::function<void(const std::string& agent_id)> listener) {
  std::lock_guard lock(listeners_mutex_);
  revoke_listeners_.push_back(std::move(listener));
}

Result<AgentRecord> AgentRegistryImpl::get(std::string_view id) {
  auth::Autocommit connection(db_);
  return load_agent(connection, id);
}

Result<AgentPage> AgentRegistryImpl::list(const AgentFilter& filter) {
  if (filter.limit < 1 || filter.limit > kMaxListLimit) {
    return invalid_argument("limit must be between 1 and 1000", "limit");
  }
  if (filter.offset < 0) return invalid_argument("offset must not be negative", "offset");
  auth::Autocommit connection(db_);
  SENTINEL_ASSIGN(
      page,
      SqlAgentRepository(connection).list(filter, clock_.now_ms(), options_.offline_after_ms));
  for (AgentRecord& agent : page.items) agent = current(std::move(agent));
  return page;
}

Result<AgentRecord> AgentRegistryImpl::load_agent(store::Connection& connection,
                                                  std::string_view id) {
  SENTINEL_ASSIGN(found, SqlAgentRepository(connection).find(id));
  if (!found) return not_found("No such agent.");
  return current(std::move(*found));
}

AgentRecord AgentRegistryImpl::current(AgentRecord agent) {
  {
    std::lock_guard lock(seen_mutex_);
    const auto it = unflushed_seen_.find(agent.id);
    if (it != unflushed_seen_.end() && (!agent.last_seen_ms || *agent.last_seen_ms < it->second)) {
      agent.last_seen_ms = it->second;
    }
  }
  agent.status = status_at(agent, clock_.now_ms(), options_.offline_after_ms);
  return agent;
}

void AgentRegistryImpl::publish(std::string_view action, const AgentRecord& agent) {
  if (Status published = bus_.publish("agent", agent_event(action, agent)); !published) {
    agents_log().warn("agent event not published agent={} action={} error=\"{}\"", agent.id, action,
                      published.error().message);
  }
}

void AgentRegistryImpl::audit(std::string_view actor, std::string_view action,
                              std::string_view agent_id, const auth::ClientInfo& client,
                              std::string details_json) {
  auth::AuditRecord record{std::string(actor.substr(0, 64)),
                           std::string(action),
                           "agent:" + std::string(agent_id),
                           client.source_address,
                           "success",
                           std::move(details_json)};
  if (auto recorded = audit_.record(record); !recorded) {
    agents_log().error("audit record failed action={} agent={} error=\"{}\"", action, agent_id,
                       recorded.error().message);
  }
}

void AgentRegistryImpl::notify_revoked(const std::string& agent_id) {
  std::vector<std::function<void(const std::string&)>> listeners;
  {
    std::lock_guard lock(listeners_mutex_);
    listeners = revoke_listeners_;
  }
  for (const auto& listener : listeners) listener(agent_id);
}

}  // namespace sentinel::agents
