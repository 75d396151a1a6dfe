#pragma once
// The listener's certificate: the user's files, or a self-signed one generated at first start.
// Plain OpenSSL 3, no Asio.

#include <openssl/ssl.h>

#include <string>
#include <string_view>

#include "sentinel/common/result.h"

namespace sentinel::gateway {

/// Paths of the PEM certificate (chain) and private key the listener serves.
struct TlsFiles {
  std::string cert_file;
  std::string key_file;
};

/// The user's files when both are given (one without the other is an error). Otherwise
/// data_dir/tls/server.crt and server.key, generated when missing or expired: EC P-256,
/// self-signed, subjectAltName IP:127.0.0.1 and DNS:localhost, valid one year, key mode 0600.
Result<TlsFiles> ensure_tls_files(const std::string& data_dir, const std::string& cert_file,
                                  const std::string& key_file);

/// Loads `files` into `ctx` (kInvalidArgument when unreadable or the key does not match) and
/// allows TLS `min_version` ("1.3" or "1.2") and newer, AEAD ciphers with forward secrecy only.
Status configure_tls(SSL_CTX* ctx, const TlsFiles& files, std::string_view min_version);

}  // namespace sentinel::gateway
