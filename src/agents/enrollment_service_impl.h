#pragma once
// The SQL-backed EnrollmentService: tokens in enrollment_tokens.cpp, the exchange of a token and
// a CSR for an agent in enrollment.cpp.

#include <atomic>
#include <string>
#include <string_view>

#include "enrollment_throttle.h"
#include "sentinel/agents/enrollment.h"

namespace sentinel::agents {

/// See EnrollmentService. Holds no state but the failure throttle and the channel port.
class EnrollmentServiceImpl final : public EnrollmentService {
 public:
  EnrollmentServiceImpl(store::Database& db, AgentRegistry& registry,
                        const CertificateAuthority& ca, auth::AuditLog& audit,
                        MetricsRegistry& metrics, const Clock& clock, EnrollmentOptions options);

  Result<CreatedEnrollmentToken> create_token(const auth::Principal& caller,
                                              const EnrollmentTokenSpec& spec,
                                              const auth::ClientInfo& client) override;
  Result<std::vector<EnrollmentTokenView>> list_tokens() override;
  Status revoke_token(const auth::Principal& caller, std::int64_t id,
                      const auth::ClientInfo& client) override;
  Result<EnrollmentGrant> enroll(const EnrollmentRequest& request,
                                 const auth::ClientInfo& client) override;
  void set_channel_port(int port) override { channel_port_ = port; }

 private:
  /// The pin of the gateway's certificate, read afresh (the gateway may have replaced it).
  Result<std::string> gateway_pin() const;
  /// Counts a failed enrolment against the source and in the metrics; returns `error`.
  Error enrollment_failed(Error error, const auth::ClientInfo& client, std::string_view outcome);
  /// Records an audit entry; a failure to record is logged, not returned.
  void audit(std::string_view actor, std::string_view action, std::string target,
             const auth::ClientInfo& client, std::string details_json);

  store::Database& db_;
  AgentRegistry& registry_;
  const CertificateAuthority& ca_;
  auth::AuditLog& audit_;
  MetricsRegistry& metrics_;
  const Clock& clock_;
  const EnrollmentOptions options_;
  EnrollmentThrottle throttle_;
  std::atomic<int> channel_port_;
};

/// The one answer for unknown, used, revoked and expired tokens alike.
Error invalid_enrollment_token();

}  // namespace sentinel::agents
