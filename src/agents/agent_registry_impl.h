#pragma once
// The SQL-backed AgentRegistry. Reads, liveness and the last-seen flusher are in
// agent_registry_impl.cpp; the audited changes (enrol, renew, revoke, delete, update) in
// agent_changes.cpp.

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "certificate_allow_list.h"
#include "sentinel/agents/agent_registry.h"

namespace sentinel::agents {

/// See AgentRegistry. The database is the record; memory holds only the allow-list of
/// certificates (for handshakes) and last-seen times not yet flushed.
class AgentRegistryImpl final : public AgentRegistry {
 public:
  AgentRegistryImpl(store::Database& db, auth::AuditLog& audit, bus::Bus& bus,
                    const CertificateAuthority& ca, const Clock& clock, RegistryOptions options);
  ~AgentRegistryImpl() override;

  /// Loads the allow-list from the database.
  Status load();

  std::string_view name() const override { return "agents"; }
  Status start() override;
  void stop() override;

  bool certificate_allowed(std::string_view agent_id, std::string_view serial_hex) const override;
  Status record_connected(std::string_view agent_id, const AgentFacts& facts,
                          std::string_view remote_address) override;
  Status record_disconnected(std::string_view agent_id) override;
  void touch(std::string_view agent_id) override;
  Result<IssuedCertificate> renew_certificate(std::string_view agent_id,
                                              std::string_view csr_pem) override;
  void on_revoked(std::function<void(const std::string& agent_id)> listener) override;

  Result<EnrolledAgent> enroll(const AgentFacts& facts, std::string_view csr_pem,
                               const RedeemCredential& redeem) override;

  Result<AgentRecord> get(std::string_view id) override;
  Result<AgentPage> list(const AgentFilter& filter) override;
  Status revoke(const auth::Principal& caller, std::string_view id,
                const auth::ClientInfo& client) override;
  Status remove(const auth::Principal& caller, std::string_view id,
                const auth::ClientInfo& client) override;
  Result<AgentRecord> update(const auth::Principal& caller, std::string_view id,
                             const AgentUpdate& update, const auth::ClientInfo& client) override;

 private:
  /// The stored agent with unflushed last-seen time and status applied; kNotFound if unknown.
  Result<AgentRecord> load_agent(store::Connection& connection, std::string_view id);
  /// Applies the unflushed last-seen time and computes the status.
  AgentRecord current(AgentRecord agent);
  /// Writes the touched last-seen times in one transaction; keeps them for the next try if it
  /// fails.
  void flush_last_seen();
  void run_flusher();
  /// Publishes a registry change on the bus topic "agent"; failures are logged.
  void publish(std::string_view action, const AgentRecord& agent);
  /// Records an audit entry; a failure to record is logged, not returned.
  void audit(std::string_view actor, std::string_view action, std::string_view agent_id,
             const auth::ClientInfo& client, std::string details_json = "{}");
  void notify_revoked(const std::string& agent_id);

  store::Database& db_;
  auth::AuditLog& audit_;
  bus::Bus& bus_;
  const CertificateAuthority& ca_;
  const Clock& clock_;
  const RegistryOptions options_;

  CertificateAllowList allowed_;
  /// Held across each change of who may connect (enrol, renew, revoke, delete) and its
  /// allow-list update, so that a renewal racing a revoke cannot re-admit the agent.
  std::mutex membership_mutex_;

  std::mutex seen_mutex_;
  std::map<std::string, std::int64_t, std::less<>> unflushed_seen_;

  std::mutex listeners_mutex_;
  std::vector<std::function<void(const std::string&)>> revoke_listeners_;

  std::mutex flusher_mutex_;
  std::condition_variable flusher_wake_;
  bool stopping_ = false;
  std::thread flusher_;
};

/// "agt_" + 26 lower-case base32 characters of 16 random bytes.
std::string new_agent_id();

}  // namespace sentinel::agents
