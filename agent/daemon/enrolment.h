#pragma once
// First contact: turn a one-time enrolment token into an identity and a saved config.

#include <string>

#include "agent/config/agent_config.h"
#include "agent/daemon/identity.h"
#include "sentinel/common/result.h"
#include "sentinel/common/secret.h"

namespace sentinel::agent {

/// The parts of an enrolment token "se1.<secret>.<pin>": the pin is the hex SHA-256 of the
/// public key of the server's HTTPS certificate, so the agent trusts the server it enrols with
/// without a CA file.
struct EnrolmentToken {
  Secret text;      // the whole token, sent to the server
  std::string pin;  // 64 lower-case hex characters
};

/// Parses and checks the token's shape; the error says what is wrong without echoing it.
Result<EnrolmentToken> parse_enrolment_token(const std::string& text);

/// What `sentinel-agent --enroll-token` was given.
struct EnrolmentRequest {
  std::string server_url;  // https://HOST:PORT
  std::string token;
  std::string data_dir;
  std::string ca_file;  // optional: trust this CA instead of the token's pin
  std::string agent_version;
};

/// Makes a key and CSR, posts them with the token to /api/v1/agents/enroll, saves the identity
/// and DATA_DIR/agent.yaml (server and channel address filled in) and returns that config.
Result<AgentConfig> enrol(const EnrolmentRequest& request, AgentConfig base);

}  // namespace sentinel::agent
