#pragma once
// Certificate facts for the scan report, read from a server's certificate with OpenSSL.

#include <openssl/x509.h>

#include <string_view>

#include "sentinel/scan/scan_report.h"

namespace sentinel::scan {

/// Subject, issuer, SANs, validity, self-signedness, key and fingerprint of `cert`; the
/// version lists are left empty. Never verifies a chain: we identify, not trust.
TlsFacts certificate_facts(X509* cert);

/// OpenSSL's name of a protocol version number ("TLSv1.2" for TLS1_2_VERSION).
std::string_view tls_version_name(int version);

}  // namespace sentinel::scan
