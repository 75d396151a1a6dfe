// The public exchange of an enrolment token and a CSR for an agent identity. The route is open to
// anyone, so: the token is checked before any costly work, every kind of bad token gets the same
// answer, its use is one atomic statement inside the enrolment's transaction, and sources that
// keep failing are turned away for a while.

#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "../auth/autocommit.h"
#include "enrollment_service_impl.h"
#include "logger.h"
#include "sentinel/agents/enrollment_token.h"
#include "sentinel/common/crypto.h"
#include "sql_enrollment_token_repository.h"

namespace sentinel::agents {

Error invalid_enrollment_token() {
  return unauthenticated(
      "The enrolment token is not valid: it is unknown, already used, revoked or expired.",
      "invalid_token");
}

Error EnrollmentServiceImpl::enrollment_failed(Error error, const auth::ClientInfo& client,
                                               std::string_view outcome) {
  if (outcome == "invalid_token") throttle_.record_failure(client.source_address, clock_.now_ms());
  metrics_.count("sentinel_agent_enrollments_total", "Agent enrolment attempts by outcome",
                 {{"outcome", std::string(outcome)}});
  agents_log().warn("enrolment refused source={} outcome={} reason=\"{}\"", client.source_address,
                    outcome, error.message);
  return error;
}

Result<EnrollmentGrant> EnrollmentServiceImpl::enroll(const EnrollmentRequest& request,
                                                      const auth::ClientInfo& client) {
  const std::int64_t now = clock_.now_ms();
  if (throttle_.blocked(client.source_address, now)) {
    return enrollment_failed(
        rate_limited("Too many failed enrolments from this address; try again in a minute."),
        client, "throttled");
  }
  if (!parse_enrollment_token(request.token.reveal())) {
    return enrollment_failed(invalid_enrollment_token(), client, "invalid_token");
  }
  const std::string hash = crypto::sha256_hex(request.token.reveal());
  {
    // A read first, so that bad tokens never take the database's write lock.
    auth::Autocommit connection(db_);
    SENTINEL_ASSIGN(usable, SqlEnrollmentTokenRepository(connection).usable(hash, now));
    if (!usable) return enrollment_failed(invalid_enrollment_token(), client, "invalid_token");
  }

  std::int64_t token_id = 0;
  const RedeemCredential redeem = [&](store::Connection& connection,
                                      std::string_view agent_id) -> Result<Placement> {
    SENTINEL_ASSIGN(
        redeemed, SqlEnrollmentTokenRepository(connection).redeem(hash, agent_id, clock_.now_ms()));
    if (!redeemed) return invalid_enrollment_token();
    token_id = redeemed->id;
    return std::move(redeemed->placement);
  };
  auto enrolled = registry_.enroll(request.facts, request.csr_pem, redeem);
  if (!enrolled) {
    Error error = std::move(enrolled).error();
    const bool bad_token = error.reason == "invalid_token";
    const bool bad_request = error.code == ErrorCode::kInvalidArgument;
    if (!bad_token && !bad_request) return error;
    return enrollment_failed(std::move(error), client,
                             bad_token ? "invalid_token" : "invalid_request");
  }

  const AgentRecord& agent = enrolled->agent;
  metrics_.count("sentinel_agent_enrollments_total", "Agent enrolment attempts by outcome",
                 {{"outcome", "success"}});
  audit(fmt::format("enroll_token:{}", token_id), "agent.enroll", "agent:" + agent.id, client,
        fmt::format(R"({{"token_id":{},"hostname":{},"serial":"{}"}})", token_id,
                    boost::json::serialize(boost::json::string(agent.facts.hostname)),
                    enrolled->certificate.serial_hex));
  EnrollmentGrant grant;
  grant.agent_id = agent.id;
  grant.certificate_pem = enrolled->certificate.certificate_pem;
  grant.ca_certificate_pem = ca_.ca_certificate_pem();
  grant.channel_port = channel_port_.load();
  grant.channel_url = options_.public_channel_url;
  grant.heartbeat_s = options_.heartbeat_s;
  return grant;
}

}  // namespace sentinel::agents
