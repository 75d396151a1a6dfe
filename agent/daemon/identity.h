#pragma once
// The agent's identity on disk: its private key and client certificate (one PEM file, so that a
// renewal replaces both in one atomic rename) and the agent CA certificate. Files are 0600.

#include <cstdint>
#include <string>

#include "sentinel/common/result.h"

namespace sentinel::agent {

/// A fresh key pair and a certificate request signed by it. The key never leaves the host.
struct KeyAndRequest {
  std::string key_pem;
  std::string csr_pem;
};

/// Paths under DATA_DIR/identity/ and what the certificate says.
struct AgentIdentity {
  std::string agent_id;
  std::string credential_file;  // PEM: private key, then certificate
  std::string ca_file;          // PEM: the agent CA
  std::int64_t not_before_ms = 0;
  std::int64_t not_after_ms = 0;
};

/// EC P-256 key and a CSR with subject CN=`common_name` (the server ignores the subject).
Result<KeyAndRequest> make_key_and_request(const std::string& common_name);

/// Reads DATA_DIR/identity/; kNotFound when the agent has not enrolled yet.
Result<AgentIdentity> load_identity(const std::string& data_dir);

/// Writes key + certificate (and the CA when not empty) atomically, mode 0600, and returns the
/// identity they make. The agent id is the certificate's subject CN.
Result<AgentIdentity> save_identity(const std::string& data_dir, const std::string& key_pem,
                                    const std::string& certificate_pem, const std::string& ca_pem);

}  // namespace sentinel::agent
