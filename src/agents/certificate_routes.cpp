// GET /api/v1/settings/certificates: the gateway's HTTPS certificate and the agent CA.

#include <fmt/format.h>

#include "certificate_facts.h"
#include "sentinel/agents/routes.h"
#include "sentinel/common/openssl.h"
#include "sentinel/common/time_format.h"

namespace sentinel::agents {
namespace {

boost::json::object facts_json(const CertificateFacts& facts) {
  return boost::json::object{{"subject", facts.subject},
                             {"issuer", facts.issuer},
                             {"serial", facts.serial_hex},
                             {"not_before", iso8601_utc(facts.not_before_ms)},
                             {"not_after", iso8601_utc(facts.not_after_ms)},
                             {"sha256_fingerprint", facts.sha256_fingerprint},
                             {"public_key_sha256", facts.public_key_sha256},
                             {"key_type", facts.key_type},
                             {"self_signed", facts.self_signed}};
}

Result<CertificateFacts> gateway_facts(const std::string& file) {
  const auto fail = [&file](const Error& error) {
    return internal_error(
        fmt::format("cannot describe the gateway certificate {}: {}", file, error.message));
  };
  auto pem = ssl::read_pem_file(file);
  if (!pem) return fail(pem.error());
  auto facts = describe_certificate(*pem);
  if (!facts) return fail(facts.error());
  return facts;
}

Result<gateway::Response> certificates(const CertificateAuthority& ca,
                                       const CertificateSettings& settings) {
  SENTINEL_ASSIGN(served, gateway_facts(settings.gateway_certificate_file));
  SENTINEL_ASSIGN(agent_ca, describe_certificate(ca.ca_certificate_pem()));
  return gateway::Response::json(
      boost::json::object{{"gateway", facts_json(served)},
                          {"agent_ca", facts_json(agent_ca)},
                          {"tls_min_version", settings.tls_min_version}});
}

}  // namespace

Status register_certificate_routes(gateway::Router& router, const CertificateAuthority& ca,
                                   CertificateSettings settings) {
  return router.add({"GET", "/api/v1/settings/certificates", "settings:read",
                     "The gateway's HTTPS certificate and the agent CA certificate (names, "
                     "validity, SHA-256 fingerprint, public key pin, key type), and the TLS "
                     "minimum version",
                     [&ca, settings = std::move(settings)](gateway::Request&) {
                       return certificates(ca, settings);
                     }});
}

}  // namespace sentinel::agents
