#include "client/transport.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/verify_context.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <cctype>
#include <charconv>
#include <filesystem>

#include "sentinel/common/crypto.h"
#include "sentinel/common/openssl.h"

namespace sentinel::client::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

int openssl_version(TlsVersion version) {
  return version == TlsVersion::kTls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
}

bool is_ip_address(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// System messages start with a capital ("Connection refused"); ours continue in lower case.
std::string lowercase_first(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

std::string seconds(std::chrono::milliseconds timeout) {
  const auto ms = timeout.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

Error unavailable_with(std::string message, std::string_view reason) {
  Error error = unavailable(std::move(message));
  error.reason = std::string(reason);
  return error;
}

// What to do about a certificate the client does not accept.
std::string verify_hint(long verify) {
  switch (verify) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
      return " (use --ca-file FILE to trust the server's certificate, or --insecure)";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return " (connect with a host name or address that the certificate lists)";
    default:
      return {};
  }
}

Error handshake_error(TlsStream& stream, const boost::system::error_code& ec,
                      const Endpoint& endpoint, const ClientOptions& options) {
  const long verify = SSL_get_verify_result(stream.native_handle());
  if (!options.pinned_public_key_sha256.empty() && verify != X509_V_OK) {
    return unavailable("the certificate of " + endpoint.origin +
                       " does not carry the public key pinned in the enrolment token");
  }
  if (verify != X509_V_OK && !options.insecure) {
    return unavailable("certificate verify failed for " + endpoint.origin + ": " +
                       X509_verify_cert_error_string(verify) + verify_hint(verify));
  }
  if (ec == beast::error::timeout) {
    return unavailable_with("TLS handshake with " + endpoint.origin + " failed: timed out after " +
                                seconds(options.connect_timeout),
                            kTimedOut);
  }
  if (is_closed(ec)) {
    return unavailable_with(
        "TLS handshake with " + endpoint.origin + " failed: the server closed the connection",
        kConnectionClosed);
  }
  return unavailable("TLS handshake with " + endpoint.origin + " failed: " + ec.message());
}

// Trusts the chain when the leaf certificate's public key has the pinned SHA-256; issuer, expiry
// and names do not matter then (the pin came over a channel the user already trusts).
struct PinnedKeyCheck {
  std::string pin;

  bool operator()(bool /*preverified*/, asio::ssl::verify_context& context) const {
    X509_STORE_CTX* store = context.native_handle();
    if (X509_STORE_CTX_get_error_depth(store) != 0) return true;
    X509* leaf = X509_STORE_CTX_get_current_cert(store);
    if (leaf == nullptr) return false;
    const std::string hash = ssl::public_key_pin(leaf);
    if (hash.empty() || !crypto::constant_time_equal(hash, pin)) return false;
    X509_STORE_CTX_set_error(store, X509_V_OK);
    return true;
  }
};

}  // namespace

Result<Endpoint> parse_base_url(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return invalid_argument("server URL must start with https://: '" + std::string(url) + "'",
                            "server");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    return invalid_argument(
        "server URL must be https://HOST[:PORT] without a path: '" + std::string(url) + "'",
        "server");
  }
  Endpoint endpoint;
  std::string_view port = "443";
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) {
      return invalid_argument("unterminated IPv6 address in '" + std::string(url) + "'", "server");
    }
    endpoint.host = std::string(rest.substr(1, close - 1));
    const std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return invalid_argument("bad server URL '" + std::string(url) + "'", "server");
      }
      port = after.substr(1);
    }
  } else {
    const auto colon = rest.rfind(':');
    endpoint.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  unsigned number = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (endpoint.host.empty() || ec != std::errc{} || end != port.data() + port.size() ||
      number == 0 || number > 65535) {
    return invalid_argument("bad host or port in server URL '" + std::string(url) + "'", "server");
  }
  endpoint.port = std::string(port);
  endpoint.origin = std::string(url.substr(0, kScheme.size())) + std::string(rest);
  endpoint.host_header = std::string(rest);
  return endpoint;
}

Result<std::shared_ptr<asio::ssl::context>> make_tls_context(const ClientOptions& options) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX* native = context->native_handle();
  if (SSL_CTX_set_min_proto_version(native, openssl_version(options.min_tls_version)) != 1 ||
      (options.max_tls_version &&
       SSL_CTX_set_max_proto_version(native, openssl_version(*options.max_tls_version)) != 1)) {
    return internal_error("cannot set the TLS protocol versions");
  }
  if (options.insecure) {
    context->set_verify_mode(asio::ssl::verify_none);
    return context;
  }
  context->set_verify_mode(asio::ssl::verify_peer);
  if (!options.pinned_public_key_sha256.empty()) {
    context->set_verify_callback(PinnedKeyCheck{options.pinned_public_key_sha256});
    return context;
  }
  boost::system::error_code ec;
  if (options.ca_file.empty()) {
    context->set_default_verify_paths(ec);
  } else if (!std::filesystem::is_regular_file(options.ca_file)) {
    return invalid_argument("CA file '" + options.ca_file + "' does not exist", "ca_file");
  } else {
    context->load_verify_file(options.ca_file, ec);
  }
  if (ec) {
    return invalid_argument(
        "cannot load CA certificates from '" + options.ca_file + "': " + ec.message(), "ca_file");
  }
  return context;
}

Status connect_tls(asio::io_context& io, TlsStream& stream, const Endpoint& endpoint,
                   const ClientOptions& options) {
  asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  const auto addresses = resolver.resolve(endpoint.host, endpoint.port, ec);
  if (ec) {
    return unavailable("cannot resolve " + endpoint.host + ": " + lowercase_first(ec.message()));
  }
  auto& tcp = beast::get_lowest_layer(stream);
  tcp.expires_after(options.connect_timeout);
  if (options.source_address.empty()) {
    ec = run_one(io, [&](auto handler) { tcp.async_connect(addresses, std::move(handler)); });
  } else {
    // A chosen local address (tests play several clients from 127.0.0.0/8).
    const auto source = asio::ip::make_address(options.source_address, ec);
    if (ec)
      return invalid_argument("bad source address " + options.source_address, "source_address");
    const asio::ip::tcp::endpoint target = *addresses.begin();
    tcp.socket().open(target.protocol(), ec);
    if (!ec) tcp.socket().bind(asio::ip::tcp::endpoint(source, 0), ec);
    if (ec) return unavailable("cannot bind to " + options.source_address + ": " + ec.message());
    ec = run_one(io, [&](auto handler) { tcp.async_connect(target, std::move(handler)); });
  }
  if (ec) return io_error("cannot connect to", ec, endpoint, options.connect_timeout);

  SSL* ssl = stream.native_handle();
  if (is_ip_address(endpoint.host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), endpoint.host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl, endpoint.host.c_str());
    SSL_set1_host(ssl, endpoint.host.c_str());
  }
  ec = run_one(io, [&](auto handler) {
    stream.async_handshake(asio::ssl::stream_base::client, std::move(handler));
  });
  if (ec) return handshake_error(stream, ec, endpoint, options);
  return ok();
}

bool is_closed(const boost::system::error_code& ec) {
  return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted || ec == beast::http::error::end_of_stream ||
         ec == beast::http::error::partial_message;
}

Error io_error(std::string_view doing, const boost::system::error_code& ec,
               const Endpoint& endpoint, std::chrono::milliseconds timeout) {
  const std::string prefix = std::string(doing) + " " + endpoint.origin + ": ";
  if (ec == beast::error::timeout) {
    return unavailable_with(prefix + "timed out after " + seconds(timeout), kTimedOut);
  }
  if (is_closed(ec)) {
    return unavailable_with(prefix + "the server closed the connection", kConnectionClosed);
  }
  return unavailable(prefix + lowercase_first(ec.message()));
}

}  // namespace sentinel::client::detail
