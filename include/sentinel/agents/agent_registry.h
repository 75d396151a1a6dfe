#pragma once
// The agent registry: every enrolled agent, its certificates, placement (group, labels) and
// liveness. The agent channel asks it who may connect; the API lists, changes and revokes.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sentinel/agents/certificate_authority.h"
#include "sentinel/auth/audit_log.h"
#include "sentinel/auth/auth_types.h"
#include "sentinel/auth/principal.h"
#include "sentinel/bus/bus.h"
#include "sentinel/common/clock.h"
#include "sentinel/common/result.h"
#include "sentinel/server/service.h"
#include "sentinel/store/database.h"

namespace sentinel::agents {

/// Labels of an agent: key ([a-z0-9_.-]{1,63}) -> value (at most 255 characters); at most 32.
using AgentLabels = std::map<std::string, std::string, std::less<>>;

/// What an agent says about its host (at enrolment and in every channel hello).
struct AgentFacts {
  std::string hostname;  // 1..253 printable ASCII characters
  std::string os;        // "Debian GNU/Linux 12 (bookworm)"; each of these at most 255 bytes
  std::string kernel;
  std::string arch;
  std::string agent_version;
};

/// revoked: revoked_at is set; online: connected and seen within the offline threshold.
enum class AgentStatus { kOnline, kOffline, kRevoked };
std::string_view to_string(AgentStatus status);
/// "online", "offline" or "revoked".
std::optional<AgentStatus> parse_agent_status(std::string_view text);

/// The newest certificate of an agent.
struct CertificateSummary {
  std::string serial_hex;
  std::int64_t not_after_ms = 0;
};

/// One agent as stored, with its status computed at read time.
struct AgentRecord {
  std::string id;  // "agt_" + 26 base32 characters
  AgentFacts facts;
  std::string group;  // "" when in no group
  AgentLabels labels;
  std::int64_t enrolled_at_ms = 0;
  std::optional<std::int64_t> first_seen_ms;  // first channel connection
  std::optional<std::int64_t> last_seen_ms;
  std::string last_address;  // remote address of the latest connection
  bool connected = false;
  std::optional<std::int64_t> revoked_at_ms;
  AgentStatus status = AgentStatus::kOffline;
  std::optional<CertificateSummary> certificate;
};

/// List filters; every set field must match. `search` is a case-insensitive substring of the
/// hostname or the id.
struct AgentFilter {
  std::optional<AgentStatus> status;
  std::optional<std::string> group;
  std::optional<std::pair<std::string, std::string>> label;
  std::string search;
  std::int64_t limit = 100;  // 1..1000
  std::int64_t offset = 0;
};

/// One page of a list, ordered by hostname (ignoring case) then id; `total` counts every match.
struct AgentPage {
  std::vector<AgentRecord> items;
  std::int64_t total = 0;
};

/// A change of placement. Labels in `set_labels` are added or replaced, then `remove_labels`
/// are removed (removing an absent label is no error).
struct AgentUpdate {
  std::optional<std::string> group;  // "" leaves every group
  AgentLabels set_labels;
  std::vector<std::string> remove_labels;
};

/// Where a new agent goes, as its enrolment token says.
struct Placement {
  std::string group;
  AgentLabels labels;
};

/// Consumes the enrolment credential inside the enrolment's transaction, for the agent id about
/// to be created. Its error aborts the enrolment and rolls everything back.
using RedeemCredential =
    std::function<Result<Placement>(store::Connection& connection, std::string_view agent_id)>;

/// A freshly enrolled agent and its first certificate.
struct EnrolledAgent {
  AgentRecord agent;
  IssuedCertificate certificate;
};

/// Registry settings.
struct RegistryOptions {
  std::int64_t offline_after_ms = 45'000;
  std::chrono::seconds certificate_lifetime{std::chrono::hours(24 * 30)};
  /// How often touch()ed last-seen times are written to the database (one transaction).
  std::chrono::milliseconds flush_interval{2000};
};

/// The registry. All methods are thread-safe. Changes are committed to the database, then
/// published on the bus topic "agent" as {"type":"agent","action":...,"agent":{...}}; changes
/// made by people are recorded in the audit log.
class AgentRegistry : public server::Service {
 public:
  /// Loads the certificates that may connect. The collaborators must outlive the registry; the
  /// database must be migrated. start() begins the last-seen flusher; stop() flushes once more.
  static Result<std::unique_ptr<AgentRegistry>> create(store::Database& db, auth::AuditLog& audit,
                                                       bus::Bus& bus,
                                                       const CertificateAuthority& ca,
                                                       const Clock& clock, RegistryOptions options);

  // ---- for the agent channel ----

  /// True when the agent exists, is not revoked and `serial_hex` (hex, any case) is one of its
  /// unrevoked, unexpired certificates. In memory only, never blocks on I/O: safe to call during
  /// a TLS handshake on an I/O thread.
  virtual bool certificate_allowed(std::string_view agent_id,
                                   std::string_view serial_hex) const = 0;
  /// A channel connection opened: stores `facts` (validated like at enrolment), marks the agent
  /// connected and seen now. kNotFound for an unknown agent, kPermissionDenied for a revoked one.
  virtual Status record_connected(std::string_view agent_id, const AgentFacts& facts,
                                  std::string_view remote_address) = 0;
  /// The connection closed: the agent is no longer connected (last seen now).
  virtual Status record_disconnected(std::string_view agent_id) = 0;
  /// The agent was heard from (a heartbeat or any frame). Memory only; written by the flusher.
  virtual void touch(std::string_view agent_id) = 0;
  /// Signs a new certificate for a connected agent's renewal request. Older certificates stay
  /// valid until they expire. kRateLimited when the agent already holds many unexpired ones.
  virtual Result<IssuedCertificate> renew_certificate(std::string_view agent_id,
                                                      std::string_view csr_pem) = 0;
  /// Adds a listener called with the agent id after a revoke or delete committed (on the thread
  /// that made the change; keep it short). Add listeners before the registry serves.
  virtual void on_revoked(std::function<void(const std::string& agent_id)> listener) = 0;

  // ---- enrolment ----

  /// Creates an agent in one transaction: `redeem` consumes the enrolment credential, the CSR
  /// is signed and the agent with its certificate stored. Any failure (kInvalidArgument field
  /// "csr" for a bad request) rolls back all of it, the credential's use included.
  virtual Result<EnrolledAgent> enroll(const AgentFacts& facts, std::string_view csr_pem,
                                       const RedeemCredential& redeem) = 0;

  // ---- for people (routes) ----

  /// kNotFound for an unknown id.
  virtual Result<AgentRecord> get(std::string_view id) = 0;
  /// kInvalidArgument for a limit outside 1..1000 or a negative offset.
  virtual Result<AgentPage> list(const AgentFilter& filter) = 0;
  /// Revokes the agent and all its certificates: it is refused at its next handshake and the
  /// on_revoked listeners close its live connection. Revoking again changes nothing.
  virtual Status revoke(const auth::Principal& caller, std::string_view id,
                        const auth::ClientInfo& client) = 0;
  /// Deletes the agent, its certificates and labels (and, by cascade, what others stored for it).
  virtual Status remove(const auth::Principal& caller, std::string_view id,
                        const auth::ClientInfo& client) = 0;
  /// Changes group and labels; returns the agent as it is now.
  virtual Result<AgentRecord> update(const auth::Principal& caller, std::string_view id,
                                     const AgentUpdate& update, const auth::ClientInfo& client) = 0;
};

}  // namespace sentinel::agents
