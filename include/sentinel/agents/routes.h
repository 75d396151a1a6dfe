#pragma once
// The agents service's HTTP routes.

#include <string>

#include "sentinel/agents/agent_registry.h"
#include "sentinel/agents/certificate_authority.h"
#include "sentinel/agents/enrollment.h"
#include "sentinel/common/result.h"
#include "sentinel/gateway/router.h"

namespace sentinel::agents {

/// Adds /api/v1/agents (list, show, change, revoke, delete; agents:read / agents:write),
/// /api/v1/agents/enroll-tokens (agents:read to list, agents:write to create and revoke) and the
/// public POST /api/v1/agents/enroll. `registry` and `enrollment` must outlive the router.
Status register_agent_routes(gateway::Router& router, AgentRegistry& registry,
                             EnrollmentService& enrollment);

/// What GET /api/v1/settings/certificates describes besides the agent CA.
struct CertificateSettings {
  /// The gateway's HTTPS certificate (PEM), read at each request: the gateway may replace it.
  std::string gateway_certificate_file;
  /// gateway.tls.min_version, shown as configured.
  std::string tls_min_version;
};

/// Adds GET /api/v1/settings/certificates (settings:read): subject, issuer, serial, validity,
/// fingerprints, key type and self-signedness of the gateway certificate and of `ca`'s
/// certificate, and the TLS minimum version. `ca` must outlive the router.
Status register_certificate_routes(gateway::Router& router, const CertificateAuthority& ca,
                                   CertificateSettings settings);

}  // namespace sentinel::agents
