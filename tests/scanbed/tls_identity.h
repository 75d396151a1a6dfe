#pragma once
// The bed's TLS server identity: a self-signed RSA certificate made at start, as Debian's
// ssl-cert package makes the "snakeoil" certificate that nginx, Apache and Dovecot use out of
// the box.

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "sentinel/common/result.h"

namespace sentinel::scanbed {

/// A TLS server context (TLS 1.2 and 1.3) with a fresh self-signed certificate for
/// `common_name`, valid for ten years. Shared read-only by every TLS listener.
Result<std::unique_ptr<boost::asio::ssl::context>> make_tls_context(const std::string& common_name);

}  // namespace sentinel::scanbed
