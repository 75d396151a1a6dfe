#pragma once
// Enrolment: one-time, expiring enrolment tokens (created by people) and the public exchange of
// a token and a CSR for an agent identity and its client certificate.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/agents/agent_registry.h"
#include "sentinel/agents/certificate_authority.h"
#include "sentinel/auth/audit_log.h"
#include "sentinel/auth/auth_types.h"
#include "sentinel/auth/principal.h"
#include "sentinel/common/clock.h"
#include "sentinel/common/metrics.h"
#include "sentinel/common/result.h"
#include "sentinel/common/secret.h"
#include "sentinel/store/database.h"

namespace sentinel::agents {

/// What a new enrolment token carries.
struct EnrollmentTokenSpec {
  std::string group;  // "" for none
  AgentLabels labels;
  std::optional<std::int64_t> expires_in_minutes;  // 1..10080; default from the options
};

/// unused (usable until it expires), used, expired (never used), revoked (never used).
enum class EnrollmentTokenState { kUnused, kUsed, kExpired, kRevoked };
std::string_view to_string(EnrollmentTokenState state);

/// A stored token, without its secret.
struct EnrollmentTokenView {
  std::int64_t id = 0;
  std::string group;
  AgentLabels labels;
  std::string created_by;
  std::int64_t created_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::optional<std::int64_t> used_at_ms;
  std::string used_by_agent;  // the agent it created; "" when unused
  std::optional<std::int64_t> revoked_at_ms;
  EnrollmentTokenState state = EnrollmentTokenState::kUnused;
};

/// A new token: its text appears here only, never again.
struct CreatedEnrollmentToken {
  EnrollmentTokenView view;
  Secret token;
  /// The line to paste on the host: sentinel-agent --server URL --enroll-token TOKEN --data-dir D
  std::string command;
};

/// POST /api/v1/agents/enroll, as parsed.
struct EnrollmentRequest {
  Secret token;
  std::string csr_pem;
  AgentFacts facts;
};

/// What an enrolled agent needs to connect.
struct EnrollmentGrant {
  std::string agent_id;
  std::string certificate_pem;
  std::string ca_certificate_pem;
  int channel_port = 0;
  std::string channel_url;  // empty unless configured; then the agent uses its server's host
  int heartbeat_s = 15;
};

/// Settings.
struct EnrollmentOptions {
  std::int64_t default_token_minutes = 60;
  int heartbeat_s = 15;
  int channel_port = 8444;         // the configured port of agents.listen; see set_channel_port
  std::string public_channel_url;  // agents.public_channel_url
  /// The URL agents reach the API at, for the command line; asked at each token creation
  /// (so that it can follow the gateway's bound address).
  std::function<std::string()> server_url;
  /// The gateway's TLS certificate (PEM), whose public key each token pins.
  std::string gateway_certificate_file;
  /// Failed enrolments (bad tokens) allowed per source address within a minute before further
  /// attempts from it are refused with kRateLimited until the minute is over.
  int max_failures_per_minute = 20;
};

/// The enrolment service. Thread-safe; blocking (database): call it from workers.
class EnrollmentService {
 public:
  virtual ~EnrollmentService() = default;
  /// The collaborators must outlive the service; the database must be migrated.
  static std::unique_ptr<EnrollmentService> create(store::Database& db, AgentRegistry& registry,
                                                   const CertificateAuthority& ca,
                                                   auth::AuditLog& audit, MetricsRegistry& metrics,
                                                   const Clock& clock, EnrollmentOptions options);

  /// Creates a token (stored as its SHA-256 only) and audits it. kInvalidArgument naming the
  /// field for a bad group, label or lifetime; kInternal when the gateway certificate to pin
  /// cannot be read.
  virtual Result<CreatedEnrollmentToken> create_token(const auth::Principal& caller,
                                                      const EnrollmentTokenSpec& spec,
                                                      const auth::ClientInfo& client) = 0;
  /// Every token, newest first (at most 1000).
  virtual Result<std::vector<EnrollmentTokenView>> list_tokens() = 0;
  /// Revokes an unused token; kNotFound for an unknown id, kConflict for a used one. Revoking a
  /// revoked token again changes nothing.
  virtual Status revoke_token(const auth::Principal& caller, std::int64_t id,
                              const auth::ClientInfo& client) = 0;

  /// Redeems a token for a new agent. Unknown, used, revoked and expired tokens all give the
  /// same kUnauthenticated (reason "invalid_token"); a bad CSR gives kInvalidArgument and leaves
  /// the token unused. The token is used at most once, even by racing requests.
  virtual Result<EnrollmentGrant> enroll(const EnrollmentRequest& request,
                                         const auth::ClientInfo& client) = 0;

  /// The channel port told to agents, once the listener knows the port it actually bound.
  virtual void set_channel_port(int port) = 0;
};

/// The URL for the enrolment command: `public_url` when set, else "https://" + the gateway's
/// address, where an unspecified host (0.0.0.0, ::) becomes this machine's hostname.
std::string agent_server_url(std::string_view public_url, std::string_view gateway_address);

/// The host of a URL ("wss://[::1]:8444/x" -> "::1"); "" when there is none.
std::string url_host(std::string_view url);

}  // namespace sentinel::agents
