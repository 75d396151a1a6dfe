// Enrolment tokens: creation (the text shown once, only its SHA-256 stored), listing, revoking.

#include <fmt/format.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "../auth/autocommit.h"
#include "enrollment_service_impl.h"
#include "logger.h"
#include "placement.h"
#include "sentinel/agents/enrollment_token.h"
#include "sentinel/common/crypto.h"
#include "sentinel/common/openssl.h"
#include "sql_enrollment_token_repository.h"

namespace sentinel::agents {
namespace {

constexpr std::int64_t kMaxTokenMinutes = 7 * 24 * 60;
constexpr std::int64_t kMinuteMs = 60 * 1000;
constexpr std::int64_t kMaxListedTokens = 1000;
constexpr std::size_t kSecretBytes = 32;
constexpr std::string_view kAgentDataDir = "/var/lib/sentinel-agent";

std::string target_of(std::int64_t id) { return fmt::format("enroll_token:{}", id); }

}  // namespace

std::string_view to_string(EnrollmentTokenState state) {
  switch (state) {
    case EnrollmentTokenState::kUnused:
      return "unused";
    case EnrollmentTokenState::kUsed:
      return "used";
    case EnrollmentTokenState::kExpired:
      return "expired";
    case EnrollmentTokenState::kRevoked:
      return "revoked";
  }
  return "unused";
}

std::unique_ptr<EnrollmentService> EnrollmentService::create(
    store::Database& db, AgentRegistry& registry, const CertificateAuthority& ca,
    auth::AuditLog& audit, MetricsRegistry& metrics, const Clock& clock,
    EnrollmentOptions options) {
  return std::make_unique<EnrollmentServiceImpl>(db, registry, ca, audit, metrics, clock,
                                                 std::move(options));
}

EnrollmentServiceImpl::EnrollmentServiceImpl(store::Database& db, AgentRegistry& registry,
                                             const CertificateAuthority& ca, auth::AuditLog& audit,
                                             MetricsRegistry& metrics, const Clock& clock,
                                             EnrollmentOptions options)
    : db_(db),
      registry_(registry),
      ca_(ca),
      audit_(audit),
      metrics_(metrics),
      clock_(clock),
      options_(std::move(options)),
      throttle_(options_.max_failures_per_minute, kMinuteMs),
      channel_port_(options_.channel_port) {}

Result<std::string> EnrollmentServiceImpl::gateway_pin() const {
  const auto fail = [this](const std::string& why) {
    return internal_error(fmt::format("cannot pin the gateway certificate {}: {}",
                                      options_.gateway_certificate_file, why));
  };
  auto pem = ssl::read_pem_file(options_.gateway_certificate_file);
  if (!pem) return fail(pem.error().message);
  auto cert = ssl::parse_certificate(*pem);
  if (!cert) return fail(cert.error().message);
  std::string pin = ssl::public_key_pin(cert->get());
  if (pin.empty()) return fail("no public key");
  return pin;
}

Result<CreatedEnrollmentToken> EnrollmentServiceImpl::create_token(const auth::Principal& caller,
                                                                   const EnrollmentTokenSpec& spec,
                                                                   const auth::ClientInfo& client) {
  SENTINEL_TRY(check_group(spec.group));
  SENTINEL_TRY(check_labels(spec.labels));
  const std::int64_t minutes = spec.expires_in_minutes.value_or(options_.default_token_minutes);
  if (minutes < 1 || minutes > kMaxTokenMinutes) {
    return invalid_argument("expires_in_minutes must be between 1 and 10080 (a week).",
                            "expires_in_minutes");
  }
  SENTINEL_ASSIGN(pin, gateway_pin());

  CreatedEnrollmentToken created;
  created.token = Secret(format_enrollment_token(crypto::random_token(kSecretBytes), pin));
  EnrollmentTokenView& view = created.view;
  view.group = spec.group;
  view.labels = spec.labels;
  view.created_by = caller.username;
  view.created_at_ms = clock_.now_ms();
  view.expires_at_ms = view.created_at_ms + minutes * kMinuteMs;
  auth::Autocommit connection(db_);
  SENTINEL_ASSIGN(id, SqlEnrollmentTokenRepository(connection)
                          .insert(crypto::sha256_hex(created.token.reveal()), view));
  view.id = id;
  created.command = fmt::format("sentinel-agent --server {} --enroll-token {} --data-dir {}",
                                options_.server_url ? options_.server_url() : std::string(),
                                created.token.reveal(), kAgentDataDir);
  const boost::json::object details{{"group", spec.group},
                                    {"labels", labels_json(spec.labels)},
                                    {"expires_at", view.expires_at_ms}};
  audit(caller.username, "agent.enroll_token.create", target_of(id), client,
        boost::json::serialize(details));
  agents_log().info("enrolment token created id={} by={} expires_in_minutes={}", id,
                    caller.username, minutes);
  return created;
}

Result<std::vector<EnrollmentTokenView>> EnrollmentServiceImpl::list_tokens() {
  auth::Autocommit connection(db_);
  return SqlEnrollmentTokenRepository(connection).list(clock_.now_ms(), kMaxListedTokens);
}

Status EnrollmentServiceImpl::revoke_token(const auth::Principal& caller, std::int64_t id,
                                           const auth::ClientInfo& client) {
  auth::Autocommit connection(db_);
  SqlEnrollmentTokenRepository tokens(connection);
  const std::int64_t now = clock_.now_ms();
  SENTINEL_ASSIGN(revoked, tokens.revoke(id, now));
  if (!revoked) {
    SENTINEL_ASSIGN(found, tokens.find(id, now));
    if (!found) return not_found("No such enrolment token.");
    if (found->state == EnrollmentTokenState::kUsed) {
      return conflict(
          fmt::format("The token was already used by agent {}; revoke the agent "
                      "instead.",
                      found->used_by_agent));
    }
    return ok();  // already revoked
  }
  audit(caller.username, "agent.enroll_token.revoke", target_of(id), client, "{}");
  return ok();
}

void EnrollmentServiceImpl::audit(std::string_view actor, std::string_view action,
                                  std::string target, const auth::ClientInfo& client,
                                  std::string details_json) {
  auth::AuditRecord record{std::string(actor.substr(0, 64)),
                           std::string(action),
                           std::move(target),
                           client.source_address,
                           "success",
                           std::move(details_json)};
  if (auto recorded = audit_.record(record); !recorded) {
    agents_log().error("audit record failed action={} error=\"{}\"", action,
                       recorded.error().message);
  }
}

}  // namespace sentinel::agents
