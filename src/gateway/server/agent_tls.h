#pragma once
// The TLS policy of the agent channel in plain OpenSSL (no Asio): mutual TLS with the agent CA as
// the only trust anchor, no session resumption, and the client-certificate checks the verify
// callback runs. Kept out of the Beast translation unit.

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <string>

#include "sentinel/common/result.h"
#include "sentinel/gateway/agent_channel.h"

namespace sentinel::gateway {

/// Makes `ctx` (already holding the server certificate and TLS 1.3 settings) demand a client
/// certificate that chains to `ca_file`, and turns off session resumption so that every
/// connection passes ChannelHandler::certificate_allowed (a revoked agent cannot resume).
/// kInvalidArgument when `ca_file` is unreadable or `cert_file` is not signed by it.
Status configure_agent_tls(SSL_CTX* ctx, const std::string& ca_file, const std::string& cert_file);

/// The outcome of checking one connection's client certificate. Filled on an I/O thread during
/// the handshake, read afterwards by the same connection: not shared.
struct PeerCheck {
  bool verified = false;  // chain, purpose and ChannelHandler::certificate_allowed all passed
  std::string refusal;    // why not, for the log (empty when verified or never called)
  PeerCertificate peer;
};

/// The fields of `cert` that identify an agent. kInvalidArgument when the subject has no
/// common name (the CA always sets it to the agent id).
Result<PeerCertificate> describe_certificate(X509* cert);

/// True when `cert` carries an extended key usage extension that lists clientAuth. A certificate
/// without the extension is refused: the agent CA always states the purpose.
bool allows_client_auth(X509* cert);

/// The TLS verify callback body for one connection: passes intermediate certificates that
/// OpenSSL verified, and for the leaf (depth 0) requires clientAuth, describes it into `check`
/// and asks `handler`. Sets the store's error so that the handshake fails with a reason.
bool verify_agent_certificate(bool preverified, X509_STORE_CTX* store, ChannelHandler& handler,
                              PeerCheck& check);

}  // namespace sentinel::gateway
